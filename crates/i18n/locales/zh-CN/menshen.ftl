# 代码写给人看的话：拒绝、封禁、举报反馈。参数均为字符串。

refusal = 你暂时不能{ $function }，直至{ $until }
until-further-notice = 另行通知
banned-until = 该账号已被封禁至 { $until }：{ $reason }
banned-permanently = 该账号已被永久封禁：{ $reason }
evasion = 通过被封禁的{ $what } { $target } 规避封禁（处罚 { $sanction }）
device = 设备
address-range = 地址段
report-upheld = 感谢你的举报。我们已核实（案件 { $case }）并作出处理。
report-dismissed = 感谢你的举报。我们已核实（案件 { $case }），未发现违规。
case-verified = 你的账号已被处罚：{ $reason }。你可以对处罚 { $sanction } 提出申诉。

# 受限功能，拒绝时这样称呼。
function-links_in_moments = 在朋友圈发布链接
function-share_codes = 发布分享口令
function-group_broadcast = 向群发布或转发
function-add_friends = 添加好友
function-create_groups = 建群或邀请他人入群
