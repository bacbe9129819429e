# The review console. Ids are the templates' (crates/server/templates); a test checks that
# every id a template uses is here and in zh-CN.

console-name = menshen console
skip-to-content = Skip to content
nav-queue = Queue
nav-appeals = Appeals
nav-subjects = Subjects
nav-policy = Policy
sign-in = Sign in
sign-out = Sign out
sign-in-help = Paste a reviewer or admin token
token = Token
error-title = Error { $status }
error-heading = That did not work
back-to-queue = Back to the queue

# Notes after an action, and sign-in refusals.
note-assigned = The case is yours.
note-escalated = Escalated: an admin decides now.
note-verified = Verified: the sanction is issued, the reporters are told.
note-dismissed = Dismissed: the reporters are told.
note-empty = The queue is empty.
note-upheld = Upheld: the sanction stands, the appellant is told.
note-reversed = Reversed: the sanction is lifted and the ladder recomputed.
login-paste-token = Paste a token into the form.
login-unknown-token = This token is not known.
login-too-many = Too many failed sign-ins from this address; try again in { $seconds } seconds.
login-service-token = Service tokens cannot sign in; use a reviewer or admin token.

# The queue.
state = State
state-unresolved = unresolved
reason = Reason
all = all
filter = Filter
take-next-case = Take the next case
no-cases = No cases here.
queue-caption = Cases, highest priority first
case = Case
priority = Priority
subject = Subject
account = Account
reporters = Reporters
assignee = Assignee
opened = Opened
possible-bad-faith = possible bad faith

# Appeals.
appeals-open = Open
no-open-appeals = No open appeals.
appeal-heading = Appeal #{ $appeal } against sanction #{ $sanction }
appeal = Appeal
appellant = Appellant
filed = Filed
sanction = Sanction
until = until
given-by = Given by
sanction-reason = The sanction's reason
statement = Statement
reason-appellant-reads = Reason (the appellant reads it)
uphold = Uphold
reverse = Reverse
recently-decided = Recently decided
none-yet = None yet.
outcome = Outcome
why = Why

# Subjects.
kind = Kind
id = Id
look-up = Look up
standing = Standing
sanctions = Sanctions
cases = Cases
no-reports-about-subject = No reports about this subject.
case-number = Case #{ $case }
reporter-count = { $count ->
    [one] { $count } reporter
   *[other] { $count } reporters
}
report-count = { $count ->
    [one] { $count } report
   *[other] { $count } reports
}
history = History

# Policy.
policy-intro = Profiles loaded, oldest first; the one marked “in force” decides messages sent now.
profile-from = from { $when }
in-force = in force
rule = Rule
action = Action
strikes = Strikes
restricts = Restricts
message = Message
shadow = shadow
replay-reports = Replay reports
replay-none = None yet. The newest reports appear here once saved with

# Parts: history, sanctions, standing.
nothing-recorded = Nothing recorded.
when = When
who = Who
what = What
evidence = Evidence
no-sanctions = No sanctions.
target = Target
ladder = Ladder
from = From
content-strikes = Content strikes
automation-strikes = Automation strikes
restrictions = Restrictions
none = none
banned-until-label = Banned until
not-banned = not banned
no-account = No account to show.

# A case.
answerable-account = Answerable account
assigned-to = assigned to { $who }
escalated-because = Escalated because
resolution = Resolution
bad-faith-wave = Possible bad-faith wave:
bad-faith-advice = These reports add nothing to the priority; judge the content itself.
reported-content = Reported content
no-reported-text = No text was reported with this case.
fact-link = link
fact-share-code = share code
fact-contact = contact
fact-term = term
invisible-legend = invisible characters show as ⟦U+…⟧
engine-would = The engine would { $verdict } this in a group (spam score { $spam })
facts-found = Facts found
text = Text
reports = Reports
report = Report
reporter = Reporter
upheld-before = Upheld before
account-age = Account age
origin = Origin
messages = messages
the-subject = the subject
decide = Decide
assign-to-me = Assign to me
escalate-why = Why an admin should decide
escalate = Escalate
verify-heading = Verify: sanction through the ladder
verify-reason = Reason (the reported party and the reporters read it)
offence = Offence
function-taken = Function a restriction takes away
other-target = Sanction another target (optional)
target-kind = Target kind
override-ladder = Override the ladder (optional; the reason must say why)
step = Step
ladder-decides = the ladder decides
step-hours = Hours (restrictions and login bans)
verify-and-sanction = Verify and sanction
dismiss = Dismiss
dismiss-reason = Reason (the reporters read it)
