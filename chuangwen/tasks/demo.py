"""The demo city's campaign plan: 《<city>创建全国文明城市<year>年工作方案》 with 42 tasks over the
six working groups, decomposed down the unit tree (district → street → community → shop,
department → subordinate unit) into 64 in all, in every state and colour, with handovers along
the chain.  Loaded by `load_demo` (dashboard) after the demo city (chuangwen.org.demo).

Every change goes through the task services, done by the people who would do it: HQ staff draft
and issue, the lead units' liaisons sign for and report, their heads decompose-issue-hand in,
the issuing units' heads accept or return.

Demo data shaping (the only writes that bypass the services, all in this module):

* Time.  The story runs over the last ~10 weeks, but the services stamp "now" and refuse to
  issue a task whose deadline is past.  So every action is scheduled on a working day before
  today and the whole story is played in that order; then the timestamps each action wrote
  (issue, sign, report, handover, extension, milestone and timeline times) are moved to the
  action's day with a bulk update.  Tasks are issued with a deadline no earlier than today, and
  their planned deadlines (past ones make the yellow and red items) are written at the end.
  The timeline stays consistent: each task's events are in order, before today, and every
  task was issued on or before its deadline.  The audit log is not touched: its entries carry
  the real time of loading, in the same order as the story.
* Notifications.  The services notify after commit; once they have, the inbox rows of the
  demo are dated like the events that caused them (older ones marked read) and the deadline
  quoted in "新任务" messages is the shaped one.
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial, reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chuangwen.accounts.models import User
from chuangwen.org.demo import data as city
from chuangwen.org.models import Post, Unit, WorkGroup
from chuangwen.workdays.selectors import work_calendar

from . import services
from .models import (
    Extension, ExtensionStatus, Handover, HandoverStatus, Milestone, Plan, ProgressUpdate, RewardPolicy, Task,
    TaskEvent, TaskEventKind,
)

# The HQ office's people (chuangwen.org.demo.data.HQ_POSTS).
DIRECTOR = "hq_director"  # 主任: accepts or returns handovers (一级负责: head to head)
DEPUTY = "hq.deputy"  # 副主任: decides extension requests
CLERK = "hq.coordination"  # 综合协调科: drafts, issues and cancels HQ's tasks
REVIEWER = "hq.evaluation"  # 督查考评科: reviews handovers for the director

# Timestamps the services write, by model: each is moved to the (past) moment of the action that
# wrote it.
_STAMPED = (
    (Plan, ("created_at",)),
    (Task, ("created_at", "issued_at", "signed_at", "handed_in_at", "accepted_at", "signed_off_at",
            "last_update_at")),
    (TaskEvent, ("at",)),
    (ProgressUpdate, ("reported_at",)),
    (Milestone, ("done_at",)),
    (Handover, ("submitted_at", "decided_at")),
    (Extension, ("requested_at", "decided_at")),
)
# Notifications older than this are shown as read.
READ_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class Spec:
    """A top-level task of the plan and its story.  Days are working days relative to today
    (negative: before today)."""

    key: str
    group: str  # working-group code, G1..G6
    lead: str  # lead unit code
    story: str  # a `story_*` method of Builder
    deadline: int
    title: str
    content: str
    standard: str  # 对应测评标准
    criteria: str  # 考评标准
    points: str
    policy: str  # JC01..JC04
    coop: tuple = ()
    milestones: tuple = ()  # (title, due day[, "behind"]): "behind" stays undone past its date
    steps: tuple = ()  # three progress texts: started, halfway, done
    problems: str = ""  # what holds a late task up
    issued: int = -48
    weight: str = "1"


# --- the plan ------------------------------------------------------------------------------------

GOALS = "\n".join((
    "一、总体目标:以创建全国文明城市为统揽,坚持“一级负责、三级挂钩、五定到位”工作机制,全年模拟测评得分率"
    "稳定在90%以上,未成年人思想道德建设测评得分不低于90分,群众对创建工作的满意度达到90%以上,确保年度测评"
    "位次前移。",
    "二、工作重点:围绕环境优美、秩序优良、服务优质、文化优秀、创建广泛五个方面,聚焦背街小巷、农贸市场、"
    "交通路口、窗口单位、社区小区等测评点位,逐项对标整改,做到问题清单化、清单责任化、责任时限化。",
    "三、责任落实:各级一把手是本单位创建工作第一责任人,下级一把手向上级一把手交账;市级领导挂钩市直部门,"
    "部门领导挂钩所属单位,城区挂钩社区;每项任务明确任务内容、完成时限、牵头和配合单位、考评标准和奖惩办法。",
    "四、督查考评:指挥部办公室按月开展模拟测评和专项督查,实行蓝、黄、红三色督办,考评结果纳入年度目标责任"
    "考核,对提前完成的通报表扬,对逾期未完成的通报批评直至约谈问责。",
))

# Generic progress texts for tasks that bring none of their own.
STEPS = (
    "召开专题部署会,制定实施方案,完成问题摸底并建立整改台账。",
    "整改台账问题已销号过半,正在组织自查和“回头看”。",
    "各项任务已完成,台账问题全部销号,自查达到测评标准。",
)

SPECS = [
    # --- G1 优美环境组 -------------------------------------------------------------------------
    Spec("门前三包", "G1", "Q01", "chain_accepted", -8, "沿街门店“门前三包”责任制落实",
         "组织城区沿街门店签订“门前三包”责任书,做到门前市容整洁、绿化完好、秩序规范;建立街道、社区、门店三级巡查台账,每周通报。",
         "商业大街、次干道沿街门店无乱摆乱放、无占道经营",
         "抽查沿街门店30家,责任书签订率100%,每发现1家问题门店扣0.2分", "4", "JC01", coop=("D12", "D19"),
         steps=("完成辖区沿街门店摸底,逐店建立“门前三包”档案。",
                "街道、社区两级巡查每周开展,问题门店整改过半。",
                "沿街门店全部签订责任书,三级巡查台账问题全部销号。")),
    Spec("背街小巷", "G1", "Q02", "chain_open", 10, "背街小巷环境综合整治",
         "对龙泉区背街小巷逐条建档,修复破损路面,补齐路灯,清理积存垃圾和乱堆乱放,疏通排水沟渠。",
         "背街小巷路面硬化平整、照明设施完好、无暴露垃圾",
         "逐条实地检查,路灯亮灯率不低于95%,每发现1处暴露垃圾扣0.5分", "5", "JC03", coop=("D11", "D12"),
         issued=-30, milestones=(("完成背街小巷逐条建档", -25), ("完成路面修复和路灯补装", 5)),
         steps=("完成背街小巷逐条建档,列出路面、照明、排水问题清单。",
                "已修复破损路面约一半,新装路灯正在调试。", "")),
    Spec("老旧小区", "G1", "Q01", "chain_community", 12, "老旧小区环境秩序整治",
         "对城区老旧小区开展环境秩序整治:清理楼道和公共区域堆物,规范车辆停放,整治飞线和小广告,补齐垃圾桶和照明设施。",
         "小区无乱堆乱放、无飞线,垃圾桶加盖不满溢", "抽查老旧小区10个,每个不达标小区扣0.5分", "4", "JC01",
         coop=("D11",), issued=-20),
    Spec("农贸市场", "G1", "D12", "progress_yellow", -3, "农贸市场环境秩序提升",
         "对城区12个农贸市场实行“一场一策”整治:划行归市,设置公平秤,清理场内外占道经营,落实保洁和垃圾清运。",
         "农贸市场整洁有序,无占道经营,设置公平秤和投诉点", "12个农贸市场逐一测评,每个不达标市场扣0.5分",
         "5", "JC01", coop=("D19", "Q01", "Q02"), issued=-40,
         steps=("12个农贸市场“一场一策”方案已制定,公平秤全部配齐。",
                "9个市场完成划行归市和场外占道清理。", ""),
         problems="东关、滨河两个市场改造涉及产权单位,协调进度滞后。"),
    Spec("工地扬尘", "G1", "D11", "accepted", -15, "建筑工地扬尘和围挡规范管理",
         "在建工地全部落实围挡、覆盖、路面硬化、冲洗、湿法作业、渣土车密闭运输“六个百分之百”,围挡设置公益广告。",
         "建筑工地围挡规范、无扬尘,围挡公益广告不少于20%", "抽查在建工地10处,达标率不低于95%", "3", "JC02",
         coop=("D10",),
         steps=("完成全市在建工地台账梳理,共86处。", "在建工地“六个百分之百”落实率达到90%。",
                "在建工地全部落实“六个百分之百”,围挡公益广告占比达到25%。")),
    Spec("道路保洁", "G1", "D12", "dept_chain", 12, "城市道路精细化保洁和占道经营整治",
         "主次干道推行机扫加人工保洁,背街小巷定时清扫;对占道经营、流动摊点实行定点疏导和分时段管理。",
         "主次干道路面洁净,无占道经营和流动摊贩", "随机抽查主次干道10条,每发现1处占道经营扣0.2分",
         "4", "JC04", issued=-35),
    Spec("公厕改造", "G1", "D12", "milestone_blue", 25, "城市公厕提标改造",
         "改造主城区老旧公厕58座,主干道500米范围内设置公厕或指示牌,落实专人保洁、无异味。",
         "主干道步行500米范围内有公厕或公厕指示牌,公厕干净无异味", "抽查公厕20座,每座不达标扣0.3分",
         "4", "JC01",
         milestones=(("完成公厕摸底和改造方案", -30), ("完成首批30座公厕改造", -5, "behind"),
                     ("全部公厕达到二类以上标准", 20)),
         steps=("完成主城区公厕摸底,改造方案已经市城管局党组会审定。", "首批30座公厕已完成改造22座。", "")),
    Spec("河道治理", "G1", "D14", "progress_none", 20, "河道水体环境治理",
         "清理城区河道沿岸垃圾和漂浮物,排查整治入河排污口,落实河长巡河制度。",
         "水体清洁,无漂浮物和异味,沿岸无垃圾", "城区河道全段巡查,每发现1处漂浮垃圾扣0.2分", "3", "JC02",
         coop=("D10",), milestones=(("完成入河排污口排查", -18), ("完成沿岸垃圾集中清理", 10))),
    Spec("园林绿化", "G1", "D11", "handed_in", 8, "园林绿化补植和绿地保洁",
         "对主次干道行道树缺株、绿地黄土裸露进行补植,公园广场绿地落实日常保洁和养护。",
         "绿地无黄土裸露、无垃圾,行道树无缺株死株", "抽查绿地和行道树各20处,完好率不低于95%", "3", "JC02",
         coop=("D11-02",)),
    Spec("垃圾分类", "G1", "D12", "draft", 40, "生活垃圾分类示范小区建设",
         "在两个城区各建设10个生活垃圾分类示范小区,配齐分类收集容器,开展入户宣传。",
         "小区垃圾桶加盖、不满溢,分类投放设施完好", "示范小区逐一验收,分类设施配齐率100%", "3", "JC04",
         coop=("Q01", "Q02")),
    # --- G2 优良秩序组 -------------------------------------------------------------------------
    Spec("交通路口", "G2", "D05", "progress_red", -10, "主要交通路口文明交通秩序整治",
         "在城区主要交通路口设置文明交通志愿岗,整治闯红灯、机动车不礼让行人、非机动车逆行等交通违法行为。",
         "主要交通路口车辆礼让行人,无闯红灯、乱穿马路现象", "每个路口实地观察15分钟,每发现1起违法行为扣0.1分",
         "5", "JC03", coop=("D04", "D22"), issued=-45,
         steps=("确定32个重点路口,文明交通志愿岗排班表已印发。",
                "已开展集中整治行动6次,查处闯红灯行为1200余起。", ""),
         problems="志愿者上岗不稳定,早晚高峰部分路口无人值守。"),
    Spec("非机动车", "G2", "D05", "progress_yellow", -2, "非机动车乱停乱放治理",
         "在商业街区、学校和医院周边施划非机动车停车位,规范共享单车投放和停放。",
         "非机动车停放有序,不占用盲道和人行道", "抽查商业街区和学校周边20处,每处乱停乱放扣0.1分", "3", "JC02",
         coop=("D12",), issued=-30, problems="共享单车企业调度不及时,商业街区晚间停放秩序反弹。"),
    Spec("公交服务", "G2", "D13", "returned", 8, "公交站点和公交车文明服务规范",
         "规范公交站牌和线路信息,做到站名、线路与实际一致;公交车内张贴公益广告,驾乘人员文明服务。",
         "公交车和公交站点公益广告规范,站牌信息与实际一致", "乘坐3条线路各5站以上,每发现1处问题扣0.2分",
         "4", "JC01",
         coop=("D13-01",),
         steps=("完成全市公交站牌排查,需更新站牌146块。", "站牌更新完成八成,公交车公益广告全部张贴。",
                "站牌全部更新,公交车公益广告和服务规范全部落实。")),
    Spec("出租车", "G2", "D13", "accepted", -12, "出租车行业文明服务提升",
         "出租车统一张贴服务监督卡和公益广告,整治拒载、绕路、议价等行为,开展文明驾驶员评选。",
         "出租车车容整洁、文明服务,无拒载绕路", "乘坐出租车10辆次,每发现1次违规扣0.3分", "3", "JC02",
         coop=("D13-02",)),
    Spec("平安社区", "G2", "D04", "progress_none", 30, "社会治安防控和平安社区建设",
         "推进社区警务室规范化建设,补齐重点区域视频监控,开展群防群治巡逻。",
         "群众安全感不低于90%,社区警务室规范运行", "抽查社区警务室10个,问卷调查安全感不低于90%", "4", "JC03",
         coop=("D28",), milestones=(("完成社区警务室规范化建设", -10), ("完成重点区域视频监控补点", 15))),
    Spec("消防通道", "G2", "D20", "signed_red", -10, "消防通道畅通专项整治",
         "排查住宅小区、商场市场消防通道堵塞问题,施划消防通道标线,建立常态巡查机制。",
         "住宅小区、市场消防通道畅通,消防设施完好", "抽查小区和市场20处,每处消防通道堵塞扣0.3分", "3", "JC03",
         coop=("D04",), issued=-40),
    Spec("楼道飞线", "G2", "Q01", "chain_new", 15, "楼道堆物和电动自行车飞线充电整治",
         "入户排查住宅楼道堆物和电动自行车飞线充电,清理楼道杂物,引导到集中充电点充电。",
         "小区楼道无堆物、无飞线充电,消防通道畅通", "抽查小区楼道20处,每处不达标扣0.2分", "3", "JC03",
         coop=("D20",), issued=-3),
    Spec("食品安全", "G2", "D19", "ext_approved", -4, "食品安全和餐饮服务规范",
         "推进餐饮单位“明厨亮灶”建设和量化分级公示,查处无证经营,公示诚信经营承诺。",
         "餐饮单位证照公示、明厨亮灶,诚信经营", "抽查餐饮单位30家,证照公示率100%", "3", "JC02", issued=-35,
         steps=("完成全市餐饮单位量化分级复核。", "“明厨亮灶”设备招标完成,已安装部分单位。", "")),
    Spec("法律服务", "G2", "D27", "issued_blue", 2, "公共法律服务热线实景模拟检测",
         "组织人员对12348公共法律服务热线和法律援助窗口开展实景模拟检测,形成问题清单并整改。",
         "公共法律服务热线接通及时、答复规范", "模拟拨打20次,接通率不低于95%", "2", "JC02"),
    Spec("校园周边", "G2", "D04", "cancelled", 20, "校园周边环境秩序整治",
         "整治中小学校园周边占道经营、交通拥堵和“三无”食品销售。",
         "校园周边无占道经营,上下学时段交通有序", "抽查学校10所,每发现1处问题扣0.2分", "3", "JC02",
         coop=("D03",), issued=-45),
    # --- G3 优质服务组 -------------------------------------------------------------------------
    Spec("政务大厅", "G3", "D25", "accepted_early", 10, "政务服务大厅“好差评”和首问负责",
         "政务服务大厅全面推行首问负责、一次告知和“好差评”,设置无障碍通道和母婴室,窗口人员文明用语。",
         "政务大厅服务规范、设施便民,群众评价满意", "实景体验办事10件,差评每件扣0.5分", "3", "JC01",
         coop=("D25-01",),
         steps=("“好差评”系统已接入全部窗口。", "首问负责和一次告知制度全面落实,母婴室建成。",
                "各项服务规范全部落实,近一月“好差评”好评率99.6%。")),
    Spec("医院窗口", "G3", "D18", "progress_blue", 2, "医院窗口文明服务和无障碍设施",
         "二级以上医院落实预约诊疗和导医服务,完善无障碍设施,整治院内外秩序。",
         "医院窗口服务规范,无障碍设施完好", "抽查医院6家,每发现1处问题扣0.3分", "3", "JC01",
         coop=("D18-01", "D18-02"), issued=-30),
    Spec("银行网点", "G3", "Z01", "accepted", -18, "银行网点文明规范服务",
         "银行网点设置公益广告和便民设施,推行文明规范服务,开展“文明网点”评选。",
         "银行网点公益广告规范、服务文明,便民设施齐全", "抽查网点15个,每发现1处问题扣0.2分", "2", "JC04",
         coop=("Z02", "Z03")),
    Spec("商场超市", "G3", "D16", "progress_none", 18, "商场超市和宾馆酒店文明服务",
         "商场超市、宾馆酒店设置公益广告和禁烟标识,规范明码标价,开展诚信经营承诺。",
         "商场超市公益广告规范、明码标价,室内无吸烟", "抽查商场超市和宾馆酒店各10家,每家不达标扣0.3分", "3",
         "JC02", milestones=(("完成商场超市公益广告设置", -12),)),
    Spec("车站机场", "G3", "Z08", "handed_in", 6, "火车站和机场窗口文明服务",
         "火车站、机场候车(机)区设置公益广告和志愿服务站,规范出租车和网约车停靠秩序。",
         "交通枢纽公益广告规范、志愿服务到位、停靠有序", "实地检查站场2处,每发现1处问题扣0.3分", "3", "JC01",
         coop=("Z07",)),
    Spec("养老服务", "G3", "D06", "ext_pending", 2, "养老服务机构和社会福利院文明服务",
         "养老服务机构完成适老化改造,规范服务流程和收费公示,开展志愿助老服务。",
         "养老服务机构设施安全、服务规范", "抽查养老机构8家,每家不达标扣0.3分", "3", "JC02",
         coop=("D06-01",), issued=-30),
    Spec("营业厅", "G3", "Z04", "issued_none", 20, "通信营业厅文明服务规范",
         "通信营业厅设置公益广告和爱心座椅,推行首问负责,整治营销扰民。",
         "营业厅服务规范、公益广告醒目", "抽查营业厅10个,每发现1处问题扣0.2分", "2", "JC02", coop=("Z05",),
         issued=-1),
    Spec("便民热线", "G3", "D25", "draft_gap", 35, "12345政务服务便民热线办理质效提升",
         "提升12345热线接通率和办结率,对群众反映的创建问题建立转办、督办、回访闭环。",
         "群众诉求及时办理、满意度高", "", "", "JC02"),
    # --- G4 优秀文化组 -------------------------------------------------------------------------
    Spec("公益广告", "G4", "D01", "dept_chain_handed", 5, "公益广告氛围营造",
         "主次干道、商业大街、公交站点、建筑围挡和网络媒体全面刊播社会主义核心价值观和“讲文明树新风”公益广告;报纸、电视开设创建专栏。",
         "主干道步行300米范围内公益广告不少于5处,主要媒体开设创建专栏",
         "抽查主干道3条、商业大街2条,每少1处扣0.2分;媒体专栏每月不少于4期", "5", "JC01", issued=-45),
    Spec("文化设施", "G4", "D17", "accepted", -10, "公共文化设施免费开放和文明服务",
         "图书馆、博物馆、文化馆免费开放,设置公益广告和志愿服务岗,延长周末开放时间。",
         "公共文化设施免费开放、服务规范", "实地检查文化场馆4处,每发现1处问题扣0.3分", "2", "JC02",
         coop=("D17-01", "D17-02")),
    Spec("未成年人", "G4", "D03", "progress_none", 25, "未成年人思想道德建设",
         "中小学开展社会主义核心价值观教育和“新时代好少年”评选,整治校园周边文化环境,落实心理健康辅导。",
         "学校德育工作规范,校园周边文化环境整洁", "未成年人思想道德建设测评得分不低于90分", "5", "JC03",
         coop=("D22",), weight="2",
         milestones=(("完成校园周边公益广告设置", -15), ("完成“新时代好少年”评选", 20))),
    Spec("全民健身", "G4", "D21", "signed_none", 20, "全民健身设施管护",
         "对公园、广场和小区的全民健身器材逐一检修,建立管护责任人制度。",
         "健身设施完好、可正常使用", "抽查健身点位20处,每处设施损坏扣0.1分", "2", "JC04", issued=-6),
    Spec("网络文明", "G4", "D01", "progress_yellow", -3, "网络文明传播和网站公益广告",
         "政府门户网站和新闻网站首页显著位置刊播公益广告,开展网络文明志愿服务。",
         "政府网站和新闻网站首页刊播公益广告", "网络调查发现首页无公益广告的,该项不得分", "2", "JC01",
         coop=("D01-01",), issued=-30, problems="部分部门网站改版,公益广告位尚未恢复。"),
    # --- G5 文明创建组 -------------------------------------------------------------------------
    Spec("文明社区", "G5", "Q01", "chain_returned", 15, "文明社区创建",
         "社区落实“一约四会”,开展邻里互助和志愿服务,整治小区环境秩序,建设新时代文明实践站。",
         "社区环境整洁、秩序良好,新时代文明实践站规范运行", "抽查社区10个,每个不达标社区扣0.5分", "5", "JC01",
         coop=("D02",), issued=-40),
    Spec("志愿服务", "G5", "D22", "accepted", -20, "志愿服务站点和注册志愿者管理",
         "在公共场所设置志愿服务站点,注册志愿者占城区常住人口比例达到15%,规范志愿服务记录。",
         "志愿服务站点规范运行,注册志愿者比例达标", "实地检查站点10处,注册比例每差1个百分点扣0.2分",
         "3", "JC04",
         coop=("D02",)),
    Spec("文明家庭", "G5", "D23", "progress_blue", 1, "文明家庭和“最美家庭”评选",
         "开展文明家庭和“最美家庭”评选表彰,组织家风家教宣讲进社区。",
         "家庭文明建设有活动、有典型、有宣传", "评选程序规范、事迹材料齐全", "2", "JC02", issued=-25),
    Spec("文明单位", "G5", "D02", "progress_none", 15, "文明单位动态管理",
         "对各级文明单位开展年度复查,实行动态管理,对创建工作不力的单位予以摘牌。",
         "文明单位复查规范、动态管理", "复查覆盖率100%", "2", "JC02"),
    Spec("高新区", "G5", "Q14", "progress_red", -12, "高新区文明创建",
         "高新区对标中心城区标准,整治园区主干道、企业周边和城乡接合部环境秩序。",
         "城乡接合部无乱搭乱建、无暴露垃圾", "实地检查园区道路和城乡接合部各5处,每处不达标扣0.3分",
         "4", "JC03",
         issued=-45, problems="城乡接合部拆违涉及征收补偿,推进缓慢。"),
    Spec("诚信门店", "G5", "Q01", "chain_shop_open", 20, "诚信经营和“光盘行动”进门店",
         "沿街餐饮和商超门店张贴诚信经营承诺和“光盘行动”公益广告,提供打包服务,杜绝餐饮浪费。",
         "门店诚信经营承诺公示,餐饮门店有“光盘行动”提示", "抽查门店30家,每家未落实扣0.1分", "2", "JC02",
         issued=-10),
    # --- G6 指挥部办公室 -----------------------------------------------------------------------
    Spec("模拟测评", "G6", "D30", "progress_none", 22, "月度模拟测评和问卷调查",
         "委托第三方按全国文明城市测评体系每月开展一次模拟测评和入户问卷调查,分城区、分点位类型通报得分率。",
         "模拟测评覆盖全部实地考察点位类型", "每月按时完成模拟测评并形成通报", "3", "JC02", coop=("D02",),
         milestones=(("完成第一次模拟测评", -35), ("完成第二次模拟测评", -15), ("完成第三次模拟测评", 15))),
    Spec("考核", "G6", "D29", "accepted", -25, "创建工作纳入领导班子和领导干部考核",
         "将创建工作完成情况纳入各单位领导班子和领导干部年度考核,制定考核细则。",
         "创建工作纳入目标责任考核", "考核细则印发并执行", "2", "JC04"),
    Spec("申报材料", "G6", "D02", "draft", 30, "创建工作档案和网上申报材料整理",
         "按测评体系逐项整理创建工作档案,准备网上申报的规范文件、情况说明、实景图片和统计表格。",
         "网上申报材料完整、规范、真实", "材料审核每缺1项扣0.5分", "3", "JC02"),
]


class DemoPlanRefused(Exception):
    """The database is not the demo city the plan is written for."""


def load_demo_plan(*, today: date | None = None) -> str:
    """Load the demo plan into the demo city, in one transaction (all or nothing).

    Returns "loaded", or "present" if the demo plan is there already (nothing is done).  Raises
    DemoPlanRefused if the demo city is missing, if other plans exist (the demo is never mixed
    into real work) or if the reward/penalty catalogue lacks a code the demo uses.  `today` is
    the day the story is told around (default: today).
    """
    if not Unit.objects.filter(code=city.CITY_CODE).exists():
        raise DemoPlanRefused("演示城市未加载。")
    if Plan.objects.exists():
        if Plan.objects.filter(title__startswith=f"{settings.CITY_NAME}创建全国文明城市",
                               doc_number__contains="创文指").exists():
            return "present"
        raise DemoPlanRefused("库中已有其他工作方案,演示方案不与之混放。")
    codes = {s.policy for s in SPECS}
    missing = codes - set(RewardPolicy.objects.filter(code__in=codes).values_list("code", flat=True))
    if missing:
        raise DemoPlanRefused(f"奖惩规则目录中缺少{'、'.join(sorted(missing))}。")
    with transaction.atomic():
        builder = Builder(today or timezone.localdate())
        builder.build()
        retime = builder.notification_times()
        # Registered last: runs after the services' notifications are written.
        transaction.on_commit(partial(_retime_notifications, retime))
    return "loaded"


def plan_title(today: date) -> str:
    return f"{settings.CITY_NAME}创建全国文明城市{today.year}年工作方案"


def doc_number(today: date) -> str:
    return f"{settings.CITY_NAME[0]}创文指〔{today.year}〕1号"


class Builder:
    def __init__(self, today: date):
        self.today = today
        self.real_today = timezone.localdate()
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.cal = work_calendar(start=today - timedelta(days=200), end=today + timedelta(days=200))
        self.units = {u.code: u for u in Unit.objects.all()}
        self.groups = {g.code: g for g in WorkGroup.objects.all()}
        self.policies = {p.code: p for p in RewardPolicy.objects.filter(code__in={s.policy for s in SPECS})}
        hq_people = [DIRECTOR, DEPUTY, CLERK, REVIEWER]
        self.people = {u.username: u for u in User.objects.filter(username__in=hq_people)}
        self.plan: Plan | None = None
        self.tasks: dict[str, Task] = {}  # story key -> task (re-read before each action)
        self.targets: dict[int, date] = {}  # task pk -> its planned deadline
        self.issued_with: dict[int, date] = {}  # task pk -> the deadline the services saw
        self.shaped: set[int] = set()
        self.behind: set[tuple[int, str]] = set()  # (task pk, milestone title) left undone
        self.steps: dict[str, tuple] = {}
        self.schedule: list[tuple[int, int, object]] = []
        self.per_day: dict[date, int] = defaultdict(int)
        self._heads: dict[str, User] = {}
        self._liaisons: dict[str, User] = {}

    # --- days and moments --------------------------------------------------------------------

    def day(self, n: int) -> date:
        """The n-th working day after (n > 0) or before (n < 0) today; today for 0."""
        d, step = self.today, (1 if n > 0 else -1)
        for _ in range(abs(n)):
            d += timedelta(days=step)
            while not self.cal.is_workday(d):
                d += timedelta(days=step)
        return d

    def moment(self, n: int) -> datetime:
        """A time on working day n (< 0): the actions of one day follow each other in office hours."""
        if n >= 0:
            raise ValueError("demo actions happen before today")
        d = self.day(n)
        k = self.per_day[d]
        self.per_day[d] += 1
        return datetime.combine(d, time(8, 40), tzinfo=self.tz) + timedelta(minutes=4 * k)

    def at(self, n: int, action) -> None:
        """Schedule `action` (no arguments) on day n; `build` plays the schedule in order."""
        self.schedule.append((n, len(self.schedule), action))

    def _play(self) -> None:
        """Run the schedule in order, noting when (really) each action started; then move every
        timestamp the services wrote to the moment of the action that wrote it (demo data
        shaping).  No service reads those timestamps back, so this is done once, at the end."""
        marks: list[tuple[datetime, datetime]] = []  # (real start, story moment), in order
        for n, _, action in sorted(self.schedule, key=lambda s: (s[0], s[1])):
            marks.append((timezone.now(), self.moment(n)))
            action()
        starts = [real for real, _ in marks]
        for model, fields in _STAMPED:
            rows = list(model.objects.filter(reduce(or_, (Q(**{f"{f}__gte": starts[0]}) for f in fields)))
                        .only("pk", *fields))
            for row in rows:
                for f in fields:
                    value = getattr(row, f)
                    if value is not None and value >= starts[0]:
                        setattr(row, f, marks[bisect_right(starts, value) - 1][1])
            model.objects.bulk_update(rows, fields, batch_size=250)

    # --- people --------------------------------------------------------------------------------

    def head(self, code: str) -> User:
        if code not in self._heads:
            post = Post.objects.current(self.real_today).filter(unit__code=code, is_head=True) \
                .select_related("person").order_by("-valid_from", "-id").first()
            if post is None:
                raise RuntimeError(f"demo city: {code} has no head")
            self._heads[code] = post.person
        return self._heads[code]

    def liaison(self, code: str) -> User:
        """Who does a unit's daily task work: its liaison, or its head where it has none."""
        if code not in self._liaisons:
            post = Post.objects.current(self.real_today).filter(unit__code=code, is_liaison=True) \
                .select_related("person").order_by("id").first()
            self._liaisons[code] = post.person if post else self.head(code)
        return self._liaisons[code]

    def hq(self, username: str) -> User:
        return self.people[username]

    # --- the actions (each scheduled on a day) ---------------------------------------------------

    def task(self, key: str) -> Task:
        related = ("issuing_unit", "lead_unit", "plan", "parent")
        return Task.objects.select_related(*related).get(pk=self.tasks[key].pk)

    def create(self, n: int, spec: Spec, code: str) -> None:
        def run():
            target = self.day(spec.deadline)
            issue_deadline = max(target, self.real_today)
            task = services.task_create(
                plan=self.plan, actor=self.hq(CLERK), code=code, title=spec.title, content=spec.content,
                standard=spec.standard, deadline=issue_deadline, lead_unit=self.units[spec.lead],
                criteria=spec.criteria, points=Decimal(spec.points) if spec.points else None,
                policy=self.policies[spec.policy], work_group=self.groups[spec.group],
                weight=Decimal(spec.weight),
                source_ref=self.plan.doc_number, cooperating_units=[self.units[c] for c in spec.coop],
                milestones=[{"title": m[0], "due": self.day(m[1])} for m in spec.milestones],
            )
            self.tasks[spec.key] = task
            self.targets[task.pk] = target
            self.issued_with[task.pk] = issue_deadline
            own = spec.steps or ("", "", "")
            self.steps[spec.key] = tuple(s or d for s, d in zip(own, STEPS, strict=True))
            for m in spec.milestones:
                if len(m) > 2 and m[2] == "behind":
                    self.behind.add((task.pk, m[0]))

        self.at(n, run)

    def issue(self, n: int, key: str) -> None:
        self.at(n, lambda: services.task_issue(task=self.task(key), actor=self.hq(CLERK)))

    def sign(self, n: int, key: str) -> None:
        def run():
            task = self.task(key)
            services.task_sign_for(task=task, actor=self.liaison(task.lead_unit.code))

        self.at(n, run)

    def report(self, n: int, key: str, percent: int, text: str = "", *, problems: str = "",
               next_steps: str = "") -> None:
        def run():
            task = self.task(key)
            body = text or self.steps.get(key, STEPS)[_step_of(percent)]
            # A report ticks the milestones due before today and no later than a few days after
            # it (the final report ticks all of them), except those the story leaves behind.
            milestones = [m for m in task.milestones.filter(done_at__isnull=True)
                          if (task.pk, m.title) not in self.behind]
            if percent < 100:
                horizon = min(self.day(n) + timedelta(days=5), self.day(-1))
                milestones = [m for m in milestones if m.due <= horizon]
            services.progress_report(
                task=task, actor=self.liaison(task.lead_unit.code), percent=percent, text=body,
                problems=problems,
                next_steps=next_steps or ("" if percent == 100 else "对照测评标准继续推进,按时限完成。"),
                milestones_done=milestones,
            )

        self.at(n, run)

    def hand_in(self, n: int, key: str, summary: str = "") -> None:
        def run():
            task = self.task(key)
            done = self.steps.get(key, STEPS)[2]
            services.handover_submit(task=task, actor=self.head(task.lead_unit.code), summary=summary or (
                f"{task.title}已完成:{done}工作台账、整改前后对比照片和自查报告已整理归档,请验收。"))

        self.at(n, run)

    def review(self, n: int, key: str, note: str) -> None:
        def run():
            task = self.task(key)
            handover = task.handovers.get(status=HandoverStatus.SUBMITTED)
            services.handover_review(handover=handover, actor=self.hq(REVIEWER), note=note)

        self.at(n, run)

    def accept(self, n: int, key: str, note: str = "经核查,任务完成,同意验收。") -> None:
        def run():
            task = self.task(key)
            services.handover_accept(task=task, actor=self.head(task.issuing_unit.code), note=note)

        self.at(n, run)

    def give_back(self, n: int, key: str, reason: str) -> None:
        def run():
            task = self.task(key)
            services.handover_return(task=task, actor=self.head(task.issuing_unit.code), reason=reason)

        self.at(n, run)

    def decompose(self, n: int, key: str, parts: list[tuple[str, str]], deadline: int, content: str = "",
                  milestones=()) -> None:
        """分解下达 `key` to the units of `parts` ([(sub key, unit code)]), due on day `deadline`."""
        def run():
            task = self.task(key)
            target = self.day(deadline)
            issue_deadline = max(target, self.real_today)
            subs = services.task_decompose(
                task=task, units=[self.units[code] for _, code in parts],
                actor=self.liaison(task.lead_unit.code),
                deadline=issue_deadline, content=content,
                milestones=[{"title": t, "due": self.day(d)} for t, d in milestones],
            )
            for (sub_key, _), sub in zip(parts, subs, strict=True):
                self.tasks[sub_key] = sub
                self.targets[sub.pk] = target
                self.issued_with[sub.pk] = issue_deadline
                self.steps[sub_key] = self.steps.get(key, STEPS)

        self.at(n, run)

    def shape_deadline(self, n: int, key: str) -> None:
        """Write the planned deadline now (before an extension request, which must quote it)."""
        def run():
            task = self.task(key)
            target = self.targets[task.pk]
            Task.objects.filter(pk=task.pk).update(deadline=target, original_deadline=target)
            self.shaped.add(task.pk)

        self.at(n, run)

    def extend(self, n: int, key: str, new_deadline: int, reason: str) -> None:
        def run():
            task = self.task(key)
            services.extension_request(task=task, actor=self.liaison(task.lead_unit.code),
                                       new_deadline=self.day(new_deadline), reason=reason)

        self.at(n, run)

    def decide(self, n: int, key: str, note: str) -> None:
        def run():
            task = self.task(key)
            ext = task.extensions.get(status=ExtensionStatus.PENDING)
            services.extension_decide(extension=ext, actor=self.hq(DEPUTY), approve=True, note=note)

        self.at(n, run)

    def cancel(self, n: int, key: str, reason: str) -> None:
        self.at(n, lambda: services.task_cancel(task=self.task(key), actor=self.hq(CLERK), reason=reason))

    # --- the whole plan ------------------------------------------------------------------------

    def build(self) -> None:
        def make_plan():
            self.plan = services.plan_create(
                year=self.today.year, title=plan_title(self.today), issuing_unit=self.units[city.HQ_CODE],
                actor=self.hq(DIRECTOR), doc_number=doc_number(self.today), goals=GOALS)

        self.at(-52, make_plan)
        for i, spec in enumerate(SPECS, start=1):
            code = f"{self.today.year}-{i:03d}"
            getattr(self, f"story_{spec.story}")(spec, code)
        self._play()
        # Demo data shaping: the planned deadlines (see the module docstring).
        for pk, target in self.targets.items():
            if pk not in self.shaped:
                Task.objects.filter(pk=pk).update(deadline=target, original_deadline=target)

    def top(self, spec: Spec, code: str) -> None:
        """Drafted the day before it is issued, issued on `spec.issued`."""
        self.create(spec.issued - 1, spec, code)
        self.issue(spec.issued, spec.key)

    # --- stories of top-level tasks -------------------------------------------------------------

    def _work(self, spec: Spec, code: str, reports: list[tuple[int, int]], *,
              problems_last: bool = False) -> None:
        self.top(spec, code)
        self.sign(spec.issued + 1, spec.key)
        for i, (n, percent) in enumerate(reports):
            last = i == len(reports) - 1
            self.report(n, spec.key, percent, problems=spec.problems if last and problems_last else "")

    def _done(self, spec: Spec, code: str, accept_on: int) -> None:
        self._work(spec, code, [((spec.issued + accept_on) // 2, 60), (accept_on - 3, 100)])
        self.hand_in(accept_on - 2, spec.key)
        self.accept(accept_on, spec.key)

    def story_accepted(self, spec, code):
        self._done(spec, code, accept_on=min(spec.deadline - 1, -2))

    def story_accepted_early(self, spec, code):
        self._done(spec, code, accept_on=-6)

    def story_handed_in(self, spec, code):
        self._work(spec, code, [(-18, 70), (-4, 100)])
        self.hand_in(-3, spec.key)
        self.review(-2, spec.key, "材料齐全,实地抽查达标,建议验收。")

    def story_returned(self, spec, code):
        self._work(spec, code, [(-25, 70), (-14, 100)])
        self.hand_in(-12, spec.key)
        self.review(-11, spec.key, "实地乘坐7路、15路公交,部分站牌线路信息与实际不符。")
        self.give_back(-10, spec.key, "7路、15路部分站牌线路信息仍与实际不符,请核实整改后重新交账。")
        self.report(-4, spec.key, 95, "已按验收意见更换7路、15路站牌23块,正在逐站复核。")

    def story_progress_none(self, spec, code):
        self._work(spec, code, [(-20, 40), (-3, 60)])

    def story_progress_blue(self, spec, code):
        self._work(spec, code, [(-12, 60), (-2, 85)])

    def story_milestone_blue(self, spec, code):
        self._work(spec, code, [(spec.issued + 6, 15), (-15, 35)], problems_last=True)

    def story_progress_yellow(self, spec, code):
        self._work(spec, code, [(-15, 50), (-6, 70)], problems_last=True)

    def story_progress_red(self, spec, code):
        self._work(spec, code, [(spec.issued + 8, 15), (-16, 40)], problems_last=True)

    def story_signed_none(self, spec, code):
        self.top(spec, code)
        self.sign(spec.issued + 1, spec.key)

    def story_signed_red(self, spec, code):
        self.top(spec, code)
        self.sign(spec.issued + 2, spec.key)

    def story_issued_none(self, spec, code):
        self.top(spec, code)

    def story_issued_blue(self, spec, code):
        self.create(-3, spec, code)
        self.issue(-2, spec.key)

    def story_ext_pending(self, spec, code):
        self._work(spec, code, [(-20, 40), (-6, 60)])
        self.shape_deadline(-1, spec.key)
        self.extend(-1, spec.key, 15, "适老化改造工程需等待消防验收,申请顺延完成时限。")

    def story_ext_approved(self, spec, code):
        self._work(spec, code, [(-25, 30)])
        self.shape_deadline(-9, spec.key)
        self.extend(-9, spec.key, 12, "“明厨亮灶”设备走政府采购程序,到货安装比原计划晚约两周。")
        self.decide(-7, spec.key, "同意延期。原定时限仍作为考评依据,请按新时限完成。")
        self.report(-3, spec.key, 65, "“明厨亮灶”设备已到货,正在分批安装。")

    def story_cancelled(self, spec, code):
        self.top(spec, code)
        self.sign(spec.issued + 1, spec.key)
        self.cancel(-30, spec.key, "本项工作并入“社会治安防控和平安社区建设”任务统一推进,撤销本任务。")

    def story_draft(self, spec, code):
        self.create(-3, spec, code)

    def story_draft_gap(self, spec, code):
        self.create(-2, spec, code)

    # --- stories down the tree --------------------------------------------------------------------

    def story_chain_accepted(self, spec, code):
        """HQ → district → two streets; one street → community → two shops; all accepted, each
        head handing in to the head above (一级负责)."""
        k = spec.key
        j1, j2, s1, p1, p2 = (f"{k}/{x}" for x in ("J01", "J02", "S01", "P001", "P002"))
        self.top(spec, code)
        self.sign(-47, k)
        self.decompose(-46, k, [(j1, "Q01-J01"), (j2, "Q01-J02")], -14,
                       content="组织辖区沿街门店签订“门前三包”责任书,街道每周巡查一次,问题门店建档跟踪。")
        self.sign(-45, j1)
        self.sign(-45, j2)
        self.decompose(-44, j1, [(s1, "Q01-J01-S01")], -20,
                       content="社区逐店上门签订“门前三包”责任书,网格员每日巡查,发现问题当日督促整改。")
        self.sign(-43, s1)
        self.decompose(-42, s1, [(p1, "Q01-J01-S01-P001"), (p2, "Q01-J01-S01-P002")], -26,
                       content="签订“门前三包”责任书,门前不乱摆乱放、不占道经营,保持门前整洁。")
        self.sign(-41, p1)
        self.sign(-41, p2)
        self.report(-35, p1, 60, "已签订责任书,店外货架已撤回店内。")
        self.report(-34, p2, 50, "已签订责任书,正在清理门前杂物。")
        self.report(-30, p1, 100, "门前整洁,无占道经营,责任书张贴上墙。")
        self.report(-30, p2, 100, "门前杂物清理完毕,每日自查。")
        self.hand_in(-29, p1, "已签订并张贴“门前三包”责任书,门前无占道经营,附门店前后对比照片。")
        self.hand_in(-29, p2, "门前杂物已清理,落实每日自查,附照片。")
        self.accept(-28, p1, "社区网格员复查合格。")
        self.accept(-28, p2, "社区网格员复查合格。")
        self.report(-27, s1, 100, "辖区门店责任书签订率100%,网格员每日巡查记录完整。")
        self.hand_in(-25, s1)
        self.accept(-24, s1, "街道抽查10家门店,全部达标。")
        self.report(-38, j2, 30, "已完成西街街道沿街门店摸底。")
        self.report(-22, j2, 100, "西街街道门店责任书全部签订,巡查台账完整。")
        self.hand_in(-18, j2)
        self.accept(-17, j2)
        self.report(-22, j1, 100, "东关街道所辖社区全部完成,街道巡查台账完整。")
        self.hand_in(-21, j1)
        self.accept(-19, j1)
        self.report(-30, k, 50)
        self.report(-16, k, 100)
        self.hand_in(-14, k)
        self.review(-13, k, "抽查沿街门店30家,责任书签订率100%,建议验收。")
        self.accept(-12, k, "验收合格。凤鸣区做法在全市推广。")

    def story_chain_returned(self, spec, code):
        """HQ → district → street → two communities: the street returns one community's
        handover, which is resubmitted and accepted; the street's handover awaits the district."""
        k = spec.key
        j1, s1, s2 = (f"{k}/{x}" for x in ("J01", "S01", "S02"))
        self.top(spec, code)
        self.sign(-39, k)
        self.report(-30, k, 20, "区级方案已印发,各街道完成社区创建对标自查。")
        self.decompose(-38, k, [(j1, "Q01-J01")], 10)
        self.sign(-37, j1)
        self.decompose(-36, j1, [(s1, "Q01-J01-S01"), (s2, "Q01-J01-S02")], 5,
                       milestones=[("完成“一约四会”修订", -20)])
        self.sign(-35, s1)
        self.sign(-35, s2)
        self.report(-25, s1, 60, "居民公约修订完成,新时代文明实践站正在布置。")
        self.report(-12, s1, 100, "文明实践站建成并开展活动,小区环境整治完毕。")
        self.hand_in(-11, s1, "文明社区创建各项任务完成,文明实践站已投入使用。")
        self.give_back(-10, s1, "佐证材料缺少小区环境整治前后对比照片和志愿服务活动记录,请补充后重新交账。")
        self.report(-7, s1, 100, "已补充小区环境整治前后对比照片32张、志愿服务活动记录12次。")
        self.hand_in(-6, s1, "已按退回意见补充整治前后对比照片和志愿服务活动记录,请验收。")
        self.accept(-5, s1, "补充材料齐全,同意验收。")
        self.report(-20, s2, 70, "“一约四会”修订完成,正在整治小区飞线和乱堆乱放。")
        self.report(-9, s2, 100, "各项任务完成,小区环境整治到位。")
        self.hand_in(-8, s2)
        self.accept(-7, s2)
        self.report(-15, j1, 50, "两个社区按计划推进。")
        self.report(-4, j1, 100, "所辖两个社区均已验收合格。")
        self.hand_in(-3, j1, "东关街道所辖社区文明创建任务完成,社区交账均已验收,请区里验收。")
        self.report(-2, k, 70, "东关街道已交账待验收,其余街道按计划推进。")

    def story_chain_shop_open(self, spec, code):
        """HQ → district → street → community → two shops, under way: one shop has handed in to
        the community head, the other has not signed for its task yet."""
        k = spec.key
        j1, s1, p1, p2 = (f"{k}/{x}" for x in ("J01", "S01", "P001", "P002"))
        self.top(spec, code)
        self.sign(-9, k)
        self.decompose(-9, k, [(j1, "Q01-J01")], 15)
        self.sign(-8, j1)
        self.decompose(-8, j1, [(s1, "Q01-J01-S01")], 12)
        self.sign(-7, s1)
        self.decompose(-6, s1, [(p1, "Q01-J01-S01-P001"), (p2, "Q01-J01-S01-P002")], 3,
                       content="门店张贴诚信经营承诺和“光盘行动”提示,餐饮门店提供打包服务。")
        self.sign(-5, p1)
        self.report(-4, k, 20, "已分解至东关街道,社区和门店正在落实。")
        self.report(-3, p1, 100, "诚信经营承诺和“光盘行动”提示已张贴,打包盒已备齐。")
        self.hand_in(-2, p1, "已张贴诚信经营承诺和“光盘行动”提示,附现场照片,请社区验收。")

    def story_chain_community(self, spec, code):
        """HQ → district → two communities directly (城区挂钩社区): one late, one handed in to the
        district head."""
        k = spec.key
        s1, s2 = f"{k}/S01", f"{k}/S02"
        self.top(spec, code)
        self.sign(spec.issued + 1, k)
        self.decompose(spec.issued + 2, k, [(s1, "Q01-J01-S01"), (s2, "Q01-J01-S02")], -2,
                       content="清理楼道和公共区域堆物,规范小区车辆停放,整治飞线和小广告,补齐垃圾桶。")
        self.sign(spec.issued + 3, s1)
        self.sign(spec.issued + 3, s2)
        self.report(-10, s1, 40, "楼道堆物清理完成6栋,车辆停放线已施划。")
        self.report(-4, s1, 60, "楼道堆物清理完成10栋。",
                    problems="小区飞线整治需供电部门配合改线,进度滞后。")
        self.report(-8, s2, 100, "楼道堆物、飞线和小广告全部清理,新增垃圾桶20个。")
        self.hand_in(-5, s2, "老旧小区环境秩序整治完成,附整治前后对比照片和居民评议记录,请区里验收。")
        self.report(-6, k, 50, "两个试点社区按计划推进,幸福社区已完成。")

    def story_chain_new(self, spec, code):
        """Just issued by HQ and passed on by the district: the community has yet to sign for it."""
        k = spec.key
        self.top(spec, code)
        self.sign(spec.issued + 1, k)
        self.decompose(spec.issued + 2, k, [(f"{k}/S01", "Q01-J01-S01")], 10,
                       content="网格员逐楼入户排查楼道堆物和飞线充电,建立台账,限期清理。")

    def story_chain_open(self, spec, code):
        """HQ → district → three streets with their own deadlines: one accepted, one late, one
        very late."""
        k = spec.key
        j1, j2, j3 = (f"{k}/{x}" for x in ("J01", "J02", "J03"))
        self.top(spec, code)
        self.sign(spec.issued + 1, k)
        self.decompose(-28, k, [(j1, "Q02-J01")], -8)
        self.decompose(-28, k, [(j2, "Q02-J02")], -2)
        self.decompose(-28, k, [(j3, "Q02-J03")], 10)
        self.sign(-26, j1)
        self.report(-15, j1, 30, "已完成巷道摸底,路面修复施工队伍尚未进场。",
                    problems="施工招标流标一次,工期延误。")
        self.sign(-27, j2)
        self.report(-18, j2, 40, "路面修复完成4条,路灯补装完成一半。")
        self.report(-6, j2, 60, "路面修复完成7条。",
                    problems="2条巷道涉及雨污管网改造,需与水务部门同步施工。")
        self.sign(-27, j3)
        self.report(-20, j3, 60, "新华街道背街小巷路面修复基本完成。")
        self.report(-11, j3, 100, "路面、路灯、排水全部整改到位。")
        self.hand_in(-10, j3)
        self.accept(-9, j3)
        self.report(-20, k, 30)
        self.report(-5, k, 55, problems="龙泉街道进度滞后,已约谈街道主要负责人。")

    def story_dept_chain(self, spec, code):
        """A department decomposes to its two subordinate units: one accepted, one due soon."""
        k = spec.key
        a, b = f"{k}/01", f"{k}/02"
        self.top(spec, code)
        self.sign(spec.issued + 1, k)
        self.decompose(spec.issued + 2, k, [(a, "D12-01")], 5,
                       content="主次干道推行机扫加人工保洁,背街小巷每日定时清扫两次。")
        self.decompose(spec.issued + 2, k, [(b, "D12-02")], 2,
                       content="对主次干道占道经营和流动摊点开展集中整治,设置临时疏导点。")
        self.sign(spec.issued + 3, a)
        self.sign(spec.issued + 4, b)
        self.report(-20, a, 60, "主次干道机扫覆盖率达到90%。")
        self.report(-7, a, 100, "主次干道机扫全覆盖,背街小巷每日清扫两次。")
        self.hand_in(-6, a)
        self.accept(-4, a)
        self.report(-18, b, 40, "设置临时疏导点6处,取缔占道经营120余处。")
        self.report(-4, b, 75, "主次干道占道经营基本消除,夜市时段仍有反弹。")
        self.report(-15, k, 40)
        self.report(-3, k, 65)

    def story_dept_chain_handed(self, spec, code):
        """A department decomposes to its two media units; both accepted, the department has
        handed in to HQ, awaiting the office director."""
        k = spec.key
        a, b = f"{k}/01", f"{k}/02"
        self.top(spec, code)
        self.sign(-44, k)
        self.decompose(-43, k, [(a, "D01-01"), (b, "D01-02")], -5,
                       content="开设“创建全国文明城市”专栏,刊播社会主义核心价值观和“讲文明树新风”公益广告。")
        self.sign(-42, a)
        self.sign(-42, b)
        self.report(-30, a, 50, "报纸专栏已开设,每周2期。")
        self.report(-13, a, 100, "专栏累计刊发24期,头版公益广告每周不少于1次。")
        self.hand_in(-12, a)
        self.accept(-11, a)
        self.report(-28, b, 40, "电视、广播黄金时段公益广告已排播。")
        self.report(-11, b, 100, "“文明曝光台”栏目播出12期,公益广告日均播出30次。")
        self.hand_in(-10, b)
        self.accept(-9, b)
        self.report(-20, k, 60, "主次干道公益广告设置完成八成。")
        self.report(-4, k, 100, "主次干道、商业大街公益广告全部设置到位,媒体专栏按计划刊播。")
        self.hand_in(-3, k)
        self.review(-2, k, "抽查主干道3条、商业大街2条,公益广告均达到每300米5处以上,建议验收。")

    # --- notifications ---------------------------------------------------------------------------

    def notification_times(self) -> dict[str, tuple[datetime, str, str]]:
        """dedupe key of a notification the services send -> (when, deadline as sent, as shaped)."""
        times: dict[str, tuple[datetime, str, str]] = {}
        tasks = Task.objects.filter(plan=self.plan)
        issued = tasks.exclude(issued_at=None).values_list("pk", "issued_at", "original_deadline")
        for pk, issued_at, deadline in issued:
            times[f"task:{pk}:issued"] = (issued_at, str(self.issued_with[pk]), str(deadline))
        cancels = TaskEvent.objects.filter(task__in=tasks, kind=TaskEventKind.CANCEL)
        for pk, at in cancels.values_list("task", "at"):
            times[f"task:{pk}:cancelled"] = (at, "", "")
        for h in Handover.objects.filter(task__in=tasks):
            times[f"handover:{h.pk}:submitted"] = (h.submitted_at, "", "")
            if h.decided_at:
                action = "accept" if h.status == HandoverStatus.ACCEPTED else "return"
                times[f"handover:{h.pk}:{action}"] = (h.decided_at, "", "")
        for e in Extension.objects.filter(task__in=tasks):
            times[f"extension:{e.pk}"] = (e.requested_at, "", "")
            if e.decided_at:
                times[f"extension:{e.pk}:decided"] = (e.decided_at, "", "")
        return times


def _step_of(percent: int) -> int:
    return 2 if percent == 100 else (1 if percent >= 50 else 0)


def _retime_notifications(times: dict[str, tuple[datetime, str, str]]) -> None:
    """Demo data shaping of the inbox (see the module docstring)."""
    from chuangwen.notifications.models import Notification

    rows = list(Notification.objects.filter(dedupe_key__in=list(times)))
    read_before = timezone.now() - READ_AFTER
    for row in rows:
        when, sent, shaped = times[row.dedupe_key]
        row.created_at = when
        if sent and sent != shaped:
            row.body = row.body.replace(sent, shaped)
        if when < read_before:
            row.read_at = when + timedelta(hours=2)
    Notification.objects.bulk_update(rows, ["created_at", "body", "read_at"], batch_size=500)
