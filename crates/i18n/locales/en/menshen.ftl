# What code writes for people: refusals, bans, report feedback. Arguments are strings.

refusal = you cannot { $function } until { $until }
until-further-notice = further notice
banned-until = this account is banned until { $until }: { $reason }
banned-permanently = this account is banned permanently: { $reason }
evasion = evading the ban on { $what } { $target } (sanction { $sanction })
device = device
address-range = address range
report-upheld = Thank you for your report. We looked into it (case { $case }) and took action.
report-dismissed = Thank you for your report. We looked into it (case { $case }) and found no violation.
case-verified = Your account was sanctioned: { $reason }. You can appeal sanction { $sanction }.

# Restriction functions, as a refusal names them.
function-links_in_moments = post links in moments
function-share_codes = post share codes
function-group_broadcast = post or forward to groups
function-add_friends = add friends
function-create_groups = create groups or invite people into them
