"""The demo plan's stories: which task goes through which states, told with the verbs of
`builder.Actions`."""

from chuangwen.org.demo import data as city

from .. import services
from ..models import Task
from .builder import DIRECTOR, Actions, doc_number, plan_title
from .specs import GOALS, SPECS, Spec


class Builder(Actions):
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
