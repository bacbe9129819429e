# 审核控制台。id 与模板（crates/server/templates）一致；测试检查模板用到的每个 id 在这里和 en 中都存在。

console-name = menshen 审核控制台
skip-to-content = 跳到正文
nav-queue = 待审队列
nav-appeals = 申诉
nav-subjects = 对象查询
nav-policy = 策略
sign-in = 登录
sign-out = 退出登录
sign-in-help = 粘贴审核员或管理员令牌
token = 令牌
error-title = 错误 { $status }
error-heading = 操作未成功
back-to-queue = 返回待审队列

# 操作后的提示，以及登录被拒。
note-assigned = 该案件已分配给你。
note-escalated = 已上报：现在由管理员决定。
note-verified = 已核实：处罚已下达，已通知举报人。
note-dismissed = 已驳回：已通知举报人。
note-empty = 待审队列为空。
note-upheld = 维持原处罚：已通知申诉人。
note-reversed = 已撤销：处罚已解除，处罚阶梯已重新计算。
login-paste-token = 请在表单中粘贴令牌。
login-unknown-token = 该令牌不存在。
login-too-many = 此地址登录失败次数过多，请在 { $seconds } 秒后重试。
login-service-token = 服务令牌不能登录控制台，请使用审核员或管理员令牌。

# 待审队列。
state = 状态
state-unresolved = 未处理
reason = 原因
all = 全部
filter = 筛选
take-next-case = 领取下一个案件
no-cases = 这里没有案件。
queue-caption = 案件，优先级从高到低
case = 案件
priority = 优先级
subject = 对象
account = 账号
reporters = 举报人
assignee = 处理人
opened = 立案时间
possible-bad-faith = 疑似恶意举报

# 申诉。
appeals-open = 待处理
no-open-appeals = 没有待处理的申诉。
appeal-heading = 针对处罚 #{ $sanction } 的申诉 #{ $appeal }
appeal = 申诉
appellant = 申诉人
filed = 提交时间
sanction = 处罚
until = 至
given-by = 处罚人
sanction-reason = 处罚原因
statement = 陈述
reason-appellant-reads = 理由（申诉人可见）
uphold = 维持
reverse = 撤销
recently-decided = 最近处理
none-yet = 暂无。
outcome = 结果
why = 理由

# 对象查询。
kind = 类型
id = 标识
look-up = 查询
standing = 当前状态
sanctions = 处罚记录
cases = 案件
no-reports-about-subject = 没有关于该对象的举报。
case-number = 案件 #{ $case }
reporter-count = { $count } 位举报人
report-count = { $count } 条举报
history = 历史记录

# 策略。
policy-intro = 已加载的策略，从旧到新；标记为“生效中”的策略判定现在发送的消息。
profile-from = 自 { $when } 起
in-force = 生效中
rule = 规则
action = 处置
strikes = 违规计分
restricts = 限制功能
message = 提示语
shadow = 影子模式
replay-reports = 回放报告
replay-none = 暂无。用以下命令保存后，最新的报告会显示在这里：

# 组件：历史、处罚、状态。
nothing-recorded = 暂无记录。
when = 时间
who = 操作人
what = 操作
evidence = 证据
no-sanctions = 没有处罚。
target = 对象
ladder = 处罚阶梯
from = 开始
content-strikes = 内容违规计分
automation-strikes = 自动化违规计分
restrictions = 功能限制
none = 无
banned-until-label = 封禁至
not-banned = 未封禁
no-account = 没有可显示的账号。

# 案件。
answerable-account = 责任账号
assigned-to = 已分配给 { $who }
escalated-because = 上报原因
resolution = 处理结果
bad-faith-wave = 疑似恶意举报潮：
bad-faith-advice = 这些举报不计入优先级；请直接判断内容本身。
reported-content = 被举报内容
no-reported-text = 该案件没有附带被举报的文字。
fact-link = 链接
fact-share-code = 分享口令
fact-contact = 联系方式
fact-term = 敏感词
invisible-legend = 不可见字符显示为 ⟦U+…⟧
engine-would = 如在群聊中发送，系统会判定为 { $verdict }（垃圾信息分数 { $spam }）
facts-found = 识别到的内容
text = 文字
reports = 举报
report = 举报
reporter = 举报人
upheld-before = 以往成立
account-age = 账号年龄
origin = 来源
messages = 消息
the-subject = 该对象
decide = 处理
assign-to-me = 分配给我
escalate-why = 为什么需要管理员决定
escalate = 上报
verify-heading = 核实：按处罚阶梯处罚
verify-reason = 理由（被举报方和举报人可见）
offence = 违规
function-taken = 限制时收回的功能
other-target = 处罚其他对象（可选）
target-kind = 对象类型
override-ladder = 越过处罚阶梯（可选；理由须说明原因）
step = 处罚级别
ladder-decides = 由处罚阶梯决定
step-hours = 小时数（功能限制和登录封禁）
verify-and-sanction = 核实并处罚
dismiss = 驳回
dismiss-reason = 理由（举报人可见）
