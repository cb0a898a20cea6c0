"""Chinese vocabulary of the demo data: names, chat phrases, tags, reasons.

Kept apart from the generator so the model code stays readable. Every list is small: the
generator picks from them by integer index, so tens of millions of rows cost one `take`.
"""

from __future__ import annotations

SURNAMES: tuple[str, ...] = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛"
)
GIVEN_NAMES: tuple[str, ...] = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "晓燕",
    "婷婷",
    "雪",
    "思雨",
    "子涵",
    "欣怡",
    "梓萱",
    "浩然",
    "宇轩",
    "一诺",
    "佳怡",
    "俊杰",
    "嘉欣",
    "雨桐",
    "诗涵",
    "晨曦",
    "文博",
    "天佑",
    "梦琪",
    "语嫣",
    "若曦",
    "海燕",
    "建华",
    "志强",
    "丹丹",
    "亚楠",
    "晓东",
    "春梅",
    "玉兰",
    "小红",
    "慧敏",
    "佳琪",
    "可欣",
    "紫涵",
    "思远",
    "明轩",
    "博文",
    "雅静",
)

GROUPS: tuple[str, ...] = ("售前", "售后", "VIP")
ROLES: tuple[str, ...] = ("presales", "aftersales", "vip")
TEAM_NUMERALS: tuple[str, ...] = ("一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组")

# Topic tags per group; the chat system writes them `;`-separated.
TOPICS: tuple[tuple[str, ...], ...] = (
    ("商品咨询", "优惠活动", "尺码", "库存", "发货时间", "价格"),
    ("物流", "退换货", "退款", "质量问题", "发票", "售后维修"),
    ("会员权益", "物流", "专属优惠", "退换货", "积分"),
)

CUSTOMER_PHRASES: tuple[str, ...] = (
    "你好，在吗？",
    "这个还有货吗？",
    "什么时候发货？",
    "能便宜一点吗？",
    "有优惠券吗？",
    "我的快递到哪了？",
    "怎么还没到？",
    "我想退货",
    "可以换个颜色吗？",
    "尺码偏大还是偏小？",
    "质量怎么样？",
    "包邮吗？",
    "可以开发票吗？",
    "收到的东西坏了",
    "退款什么时候到账？",
    "好的，谢谢",
    "那我再看看",
    "能发顺丰吗？",
    "地址填错了，能改吗？",
    "会员有折扣吗？",
    "这个和那个有什么区别？",
    "保修多久？",
    "已经拍下了，麻烦尽快发",
    "怎么联系快递？",
    "赠品怎么没有？",
    "好的",
    "嗯嗯",
    "还有别的颜色吗？",
    "活动到什么时候？",
    "明白了",
)
AGENT_PHRASES: tuple[str, ...] = (
    "亲，您好，请问有什么可以帮您？",
    "有货的亲，现在下单今天就能发出",
    "稍等，我帮您查一下",
    "已经为您查到了，快递正在派送中",
    "亲，这款是正码，按平时尺码拍就可以",
    "可以的，支持七天无理由退换",
    "已为您登记，请耐心等待",
    "退款会在1-3个工作日原路退回",
    "可以开电子发票，下单时备注抬头即可",
    "非常抱歉给您带来不便",
    "已经帮您修改好地址了",
    "这款今天有满减活动哦",
    "还有其他可以帮您的吗？",
    "好的亲，给您备注顺丰",
    "质量问题我们包退包换",
    "麻烦提供一下订单号",
    "赠品会随单发出的",
    "两款主要是材质不同",
    "保修一年，全国联保",
    "感谢您的耐心等待",
)
CANNED_PHRASES: tuple[str, ...] = (
    "亲，欢迎光临，很高兴为您服务~",
    "亲，正在为您转接专员，请稍候",
    "感谢您的咨询，祝您生活愉快！",
    "亲，麻烦提供一下订单号哦",
    "亲，我们的发货时间是付款后48小时内",
)
KB_PHRASES: tuple[str, ...] = (
    "【退换货政策】签收后7天内可无理由退换，商品需保持完好",
    "【发票说明】支持开具电子普通发票和专票",
    "【物流时效】江浙沪次日达，其他地区2-4天",
    "【保修条款】整机保修一年，主要部件三年",
    "【会员权益】VIP会员享受95折及专属客服",
)
AUTO_PHRASES: tuple[str, ...] = (
    "您好，欢迎光临，客服马上为您服务！",
    "亲，您好，我是您的专属客服，请问有什么可以帮您？",
)
BOT_PHRASES: tuple[str, ...] = (
    "我是智能助手小C，当前咨询人数较多，正在为您排队",
    "您可以先描述问题，人工客服接入后会第一时间回复",
)
SYSTEM_START: tuple[str, ...] = ("客户进入会话", "会话已创建")
SYSTEM_END: tuple[str, ...] = ("会话已结束", "客户已离开会话")
CALLBACK_OPENERS: tuple[str, ...] = (
    "您好，这里是客服回访，请问上次的问题解决了吗？",
    "亲，您咨询的商品已经到货了，需要帮您留一件吗？",
)
NUDGE_PHRASES: tuple[str, ...] = ("亲，还在吗？", "亲，请问还有什么需要帮助的吗？")

RATING_GOOD: tuple[str, ...] = (
    "服务很好，很耐心",
    "回复很快，点赞",
    "解决了我的问题，谢谢",
    "态度好",
)
RATING_BAD: tuple[str, ...] = ("回复太慢了", "问题没解决", "态度一般", "答非所问")

QA_VIOLATIONS: tuple[str, ...] = (
    "no_greeting",
    "slow_reply",
    "wrong_answer",
    "incomplete_answer",
    "attitude",
    "no_closing",
    "process",
    "sensitive_word",
)

# Adjustment kinds of the contract, each with the reasons a supervisor would type.
ADJUSTMENT_REASONS: dict[str, tuple[str, ...]] = {
    "execution.rule": ("未按流程登记工单", "私自承诺赔付"),
    "execution.attitude": ("与客户争执，语气生硬", "回复敷衍"),
    "execution.neglect": ("客户连续追问未回复", "漏接排队客户"),
    "execution.answer": ("退换货政策解释错误", "未告知发货时间"),
    "execution.complaint": ("因回复不当导致客户投诉", "引起中差评"),
    "execution.exam": ("月度复训考试未通过",),
    "teamwork.shift": ("将本人工单推给同事处理",),
    "teamwork.handover": ("交接班未交接待跟进客户", "交接记录缺失"),
    "praise": ("客户在评价中点名表扬", "客户来电表扬服务耐心"),
    "overtime": ("大促期间非工作时间协助值班", "周末加班处理积压工单"),
    "suggestion": ("提出快捷短语优化建议被采纳", "优化退款流程建议被采纳"),
    "report.late": ("周报延迟提交", "月报未按时提交"),
    "supervisor": ("主管月度综合评分",),
    # Kinds of the shipped scorecards beside the contract's.
    "aftersales.error": ("退款金额录入错误", "补发地址登记错误", "工单类型选错导致处理延误"),
    "attendance.personal_leave": ("事假1天",),
    # In this order: a day under 7.5 h online, a day over 1.5 h away.
    "attendance.short_day": ("当日在线不足7.5小时", "当日挂起（离开）超过1.5小时"),
    "new_customer.small": ("新客户首单（10万以下）",),
    "new_customer.medium": ("新客户首单（10万以上）",),
    "new_customer.large": ("新客户首单（20万以上）",),
    "customer_visit": ("邀约客户到店参观", "接待来访客户洽谈"),
    "deposit.shortfall": ("定金比例不足30%，差额从提成中扣除",),
    "figure.traffic": ("店铺月度流量达成率（实际访客÷计划访客）",),
}

PRIVATE_TEMPLATES: tuple[str, ...] = (
    "我的手机号是{phone}，麻烦联系我",
    "收件电话{phone}",
    "发我邮箱吧 {email}",
    "联系方式：{phone}，邮箱{email}",
)
