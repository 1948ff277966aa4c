"""The report's words in English and Chinese, and the plan's own terms.

:data:`WORDS` maps a key to ``(English, Chinese)``; :func:`tr` looks one up and fills
``{name}`` fields. The Chinese version uses the Zhengzhou plan's own terms (郑公通〔2017〕
64号, 《全市“平安商场”创建活动工作方案》): 平安商场, 专职保安, 专职安防巡逻队, 内部防范组织,
保卫专干, 治安联防小组, 应急警报装置, 视频监控中心, 公安机关报警平台, 减速带, 隔离栏,
升降柱, 硬质防冲撞设施; :data:`GLOSSARY` lists them with their English names, and the
report prints it. A test checks that every key has both languages and the same fields.
"""

from __future__ import annotations

import string
from typing import Any, Final

LANGS: Final = ("en", "zh")

#: key → (English, Chinese).
WORDS: Final[dict[str, tuple[str, str]]] = {
    # -- title and meta
    "title": ("Safe Mall report: {mall}", "平安商场评估报告：{mall}"),
    "subtitle": ("Is this mall's security plan compliant, and are its people, devices and "
                 "barriers enough? One answer for the manager, with the evidence behind it.",
                 "本报告回答：该商场的安保方案是否符合《平安商场创建活动工作方案》？"
                 "人防、物防、技防是否足够？结论在前，依据在后。"),
    "meta_plan": ("security plan", "安保方案"),
    "meta_layout": ("floor plan", "平面布局"),
    "meta_sales_area": ("sales area", "营业面积"),
    "meta_generated": ("generated (UTC)", "生成时间（UTC）"),
    "meta_version": ("SafeMall", "SafeMall 版本"),
    "meta_runs": ("simulation runs", "仿真运行次数"),
    "meta_runs_value": ("{runs} runs ({new} new, {reused} reused from {db}); {seconds} s",
                        "共 {runs} 次（新运行 {new} 次，复用 {reused} 次，数据库 {db}）；"
                        "用时 {seconds} 秒"),
    "plan_a": ("plan A", "方案A"),
    "plan_b": ("plan B", "方案B"),
    # -- the answer
    "answer": ("The answer", "结论"),
    "q_compliant": ("Is the plan compliant?", "安保方案是否达标？"),
    "q_staffing": ("Is the staffing adequate for the bundled threats, and how sure are we?",
                   "人员配备能否应对各类威胁？把握有多大？"),
    "q_bollards": ("Where do bollards go?", "防冲撞设施（升降柱、隔离栏）设在哪里？"),
    "q_changes": ("The three most important changes", "最需要做的三项整改"),
    "q_assumptions": ("Which assumptions does the answer rest on?", "结论依赖哪些假设？"),
    "verdict_pass": ("COMPLIANT", "达标"),
    "verdict_fail": ("NOT COMPLIANT", "不达标"),
    "verdict_targets": ("CLAUSES MET, TARGETS MISSED", "条款符合，仿真指标未达到"),
    "compliant_line": ("{plan}: {verdict}. Static check: {fail} of {judged} judged clauses "
                       "fail ({pass_} pass, {ns} need a document review or a drill log). "
                       "Simulated targets: {dfail} of {djudged} fail.",
                       "{plan}：{verdict}。静态核查：已判定的 {judged} 项条款中 {fail} 项不符合"
                       "（{pass_} 项符合，{ns} 项需文件审查或演练记录）。"
                       "仿真指标：{djudged} 项中 {dfail} 项未达到。"),
    "staff_adequate": ("{plan}: with {have} guards the plan {meets} every staffing target on "
                       "{scenario}.",
                       "{plan}：现有 {have} 名专职保安，在“{scenario}”情景下{meets}全部人员指标。"),
    "meets": ("meets", "达到"),
    "misses": ("misses", "未达到"),
    "staff_answer": ("The smallest candidate meeting every target is {answer} guards "
                     "(SM-1.3b requires {required}).",
                     "满足全部指标的最少保安人数为 {answer} 名（SM-1.3b 要求 {required} 名）。"),
    "staff_none": ("No candidate up to {top} guards meets every target: staffing alone "
                   "does not fix what fails ({binding}).",
                   "候选人数直至 {top} 名均不能满足全部指标：仅靠增加人员无法解决（{binding}）。"),
    "staff_binding": ("Binding target: {target} ({detail}).",
                      "起约束作用的指标：{target}（{detail}）。"),
    "staff_confidence": ("How sure: at {answer} guards, {k} of {n} runs met every target "
                         "(share {share} [{lo}, {hi}], exact 95% CI); p95 estimates from "
                         "{n} runs per candidate.",
                         "把握程度：{answer} 名保安时，{n} 次运行中有 {k} 次全部达标"
                         "（比例 {share}，95% 精确置信区间 [{lo}, {hi}]）；"
                         "每个候选人数运行 {n} 次估计 p95。"),
    "staff_not_monotone": ("Outcomes are not monotone in the number of guards: {values}; the "
                           "answer is the smallest candidate from which every larger one also "
                           "meets the targets.",
                           "指标随保安人数并非单调变化：{values}；结论取“此人数及以上均达标”"
                           "的最小候选值。"),
    "bollards_missing": ("SM-1.5: doors reachable by road without a vehicle barrier: {doors}.",
                         "SM-1.5：车辆可达但未设防冲撞设施的出入口：{doors}。"),
    "bollards_none_missing": ("SM-1.5: every door reachable by road has a barrier ({n}).",
                              "SM-1.5：车辆可达的出入口均已设防冲撞设施（{n} 处）。"),
    "bollards_rank": ("Most harm prevented by a bollard ({scenario}, {reps} runs per "
                      "entrance): {top}.",
                      "设置升降柱可避免伤亡最多的出入口（“{scenario}”情景，每个出入口运行 {reps} "
                      "次）：{top}。"),
    "bollards_tie": ("Entrances marked = are tied: their 95% confidence intervals overlap, "
                     "so the runs cannot tell them apart.",
                     "标“=”的出入口并列：其95%置信区间重叠，仿真结果无法区分先后。"),
    "bollards_no_vehicle": ("No vehicle-ramming scenario for this mall: the ranking needs one "
                            "(scenarios/vehicle_*_{mall}.toml).",
                            "该商场没有车辆冲撞情景，无法排序"
                            "（需 scenarios/vehicle_*_{mall}.toml）。"),
    "assumptions_lead": ("The staffing answer uses {n} model parameters that no code or "
                         "standard fixes; {assumed} are engineering assumptions. Those that "
                         "matter most:",
                         "人员配备结论用到 {n} 个规范或标准未规定的模型参数，其中 {assumed} 个为"
                         "工程假设。影响最大的是："),
    "assumptions_ranked_by": ("ranked by the sensitivity study {study} (Morris μ*)",
                              "按敏感性分析 {study} 的 Morris μ* 排序"),
    "assumptions_unranked": ("no sensitivity study has been run for this scenario: listed by "
                             "status (assumed first); run `{command}` to rank them",
                             "尚未对该情景做敏感性分析，按状态列出（工程假设在前）；"
                             "运行 `{command}` 可排序"),
    "targets_assumed": ("Target thresholds marked ASSUMPTION are ours, not a standard's: {ids}.",
                        "标为“假设”的指标阈值由本工具设定，并非标准规定：{ids}。"),
    # -- sections
    "sec_comparison": ("Plans side by side", "方案对比"),
    "sec_clauses": ("Compliance with the Safe Mall plan, clause by clause",
                    "逐条核查（《平安商场创建活动工作方案》及 GB 50016）"),
    "sec_targets": ("Simulated performance targets", "仿真性能指标"),
    "sec_staffing": ("Staffing adequacy", "人员配备是否足够"),
    "sec_barriers": ("Vehicle barriers", "防冲撞设施"),
    "sec_sensitivity": ("Sensitivity of the answer", "结论的敏感性"),
    "sec_assumptions": ("Assumptions", "模型假设"),
    "sec_changes": ("What to change", "整改建议"),
    "sec_drawings": ("Plan drawings", "安保方案平面图"),
    "sec_method": ("Method, sources and terms", "方法、来源与术语"),
    # -- tables
    "th_clause": ("clause", "条款"),
    "th_title": ("requirement", "要求"),
    "th_status": ("status", "结论"),
    "th_formula": ("formula and numbers", "计算依据"),
    "th_remedy": ("what to change", "整改"),
    "th_target": ("target", "指标"),
    "th_scenario": ("scenario", "情景"),
    "th_estimate": ("estimate", "估计值"),
    "th_required": ("required", "要求"),
    "th_runs": ("runs", "运行次数"),
    "th_metric": ("metric", "指标"),
    "th_mean": ("mean [95% CI]", "均值 [95%置信区间]"),
    "th_diff": ("difference B − A [95% CI]", "差值 B − A [95%置信区间]"),
    "th_seeds": ("seeds B better / worse", "B 更好 / 更差的种子数"),
    "th_verdict": ("verdict", "判断"),
    "th_guards": ("guards", "保安人数"),
    "th_staffed": ("posts and patrols staffed, by level", "按楼层配置的岗位与巡逻"),
    "th_all_met": ("runs meeting every target [exact 95% CI]", "全部达标的运行 [95%精确置信区间]"),
    "th_rank": ("rank", "排名"),
    "th_entrance": ("entrance", "出入口"),
    "th_existing": ("barriers there now", "现有设施"),
    "th_without": ("victims without", "无设施时受害人数"),
    "th_with": ("victims with a bollard", "设升降柱后受害人数"),
    "th_prevented": ("prevented [95% CI]", "避免伤亡 [95%置信区间]"),
    "th_key": ("key", "参数"),
    "th_name": ("parameter", "名称"),
    "th_value": ("value", "取值"),
    "th_range": ("plausible range", "合理范围"),
    "th_source": ("source", "来源"),
    "th_index": ("μ* [95% CI]", "μ* [95%置信区间]"),
    "th_priority": ("priority", "优先级"),
    "th_change": ("change", "整改内容"),
    "th_why": ("why", "理由"),
    "better": ("better", "更好"),
    "worse": ("worse", "更差"),
    "no_clear": ("no clear difference", "无明显差异"),
    # -- statuses
    "st_pass": ("pass", "符合"),
    "st_fail": ("fail", "不符合"),
    "st_not_applicable": ("not applicable", "不适用"),
    "st_not_specified": ("not specified", "无法判定"),
    "st_assumed": ("assumed", "工程假设"),
    "st_sourced": ("sourced", "有出处"),
    "st_fitted": ("fitted", "拟合所得"),
    # -- texts
    "not_specified_note": ("A clause marked not specified is not a pass: it needs a document "
                           "review or data the files do not hold (drill log, documents).",
                           "“无法判定”不等于符合：需要文件审查或文件中没有的数据（演练记录、制度文件）。"),
    "targets_note": ("Each target is judged per scenario on the unrounded estimate of its "
                     "statistic over {reps} runs with the plan; a run without a value (a "
                     "responder who never came) counts as the worst case.",
                     "每项指标按情景判定，依据该方案 {reps} 次运行的统计估计值（不四舍五入）；"
                     "某次运行没有数值（如处置人员始终未到）按最不利情况计。"),
    "comparison_note": ("Both plans ran the same scenarios with the same seeds (common random "
                        "numbers: the same shoppers, speeds and draws), {reps} runs each; a "
                        "difference is the mean of the per-seed differences B − A with its "
                        "95% t interval. Lower is better for times and casualties.",
                        "两个方案在相同情景、相同随机种子下运行（共同随机数：相同的顾客、"
                        "速度与随机抽样），每个 {reps} 次；差值为逐个种子 B − A 之差的均值"
                        "及其 95% t 置信区间。时间和伤亡越低越好。"),
    "staffing_note": ("The staffing study runs {scenario} with the guard count set to each "
                      "candidate ({values}), {reps} runs each with common seeds. Extra guards "
                      "are deployed by the plan's rule: {rule}.",
                      "人员配备分析在“{scenario}”情景下把保安人数设为各候选值（{values}），"
                      "每个候选值以共同随机数运行 {reps} 次。增加的保安按方案规则部署：{rule}。"),
    "deploy_rule_file": ("posts first (gate, entrances, CCTV room, duty room, finance room), "
                         "then the plan's patrols in file order (sim/model/security_plan.py)",
                         "先满足固定岗位（门卫、出入口、监控室、值班室、财务室），再按文件顺序配置"
                         "巡逻队（sim/model/security_plan.py）"),
    "barriers_note": ("Each road entrance is rammed in turn by the scenario's vehicle, "
                      "without any barrier there and with a bollard added, {reps} runs each "
                      "with common seeds; harm prevented = victims without − victims with.",
                      "依次让情景中的车辆冲撞每个车辆可达的出入口，分别在无设施和增设升降柱"
                      "两种情况下各运行 {reps} 次（共同随机数）；"
                      "避免伤亡 = 无设施时受害人数 − 设升降柱后受害人数。"),
    "sensitivity_none": ("No sensitivity analysis is stored for this mall's scenarios in "
                         "{db}. Run, for example, `{command}` with --db {db}, then this "
                         "report again: it will show the ranked drivers here.",
                         "{db} 中没有该商场情景的敏感性分析。可运行 `{command}` 并加 --db {db}，"
                         "再生成本报告，此处将显示影响最大的参数。"),
    "sensitivity_study": ("{method} study {study} on {scenario}: {points} design points × "
                          "{seeds} seeds; seed noise floor {noise}.",
                          "{scenario} 的 {method} 分析 {study}："
                          "{points} 个设计点 × {seeds} 个种子；随机种子噪声下限 {noise}。"),
    "drawing_caption": ("{plan}, level {level}: posts, patrol routes, cameras and their gaps, "
                        "alarm buttons, PA zones, bollards and barriers, with space ids.",
                        "{plan}，{level} 层：岗位、巡逻路线、监控探头及盲区、应急警报装置、"
                        "广播分区、升降柱与隔离设施，并标注空间编号。"),
    "method_text": ("Static clauses are checked from the floor plan and the security plan "
                    "(sim/analysis/compliance). Simulated targets, the plan comparison and the "
                    "staffing study run the mall's bundled scenarios through the batch runner "
                    "(one SQLite store, resumable); every run can be repeated alone with "
                    "`safemall run --from-batch {db} RUN_ID`. Counts get bootstrap intervals, "
                    "proportions exact ones, so no interval leaves what a count can be.",
                    "静态条款依据平面布局和安保方案核查（sim/analysis/compliance）。仿真指标、"
                    "方案对比和人员配备分析通过批量运行器运行本商场的情景（同一 SQLite 数据库，"
                    "可续跑）；每次运行都可用 `safemall run --from-batch {db} RUN_ID` 单独重现。"
                    "计数指标用自助法置信区间，比例用精确置信区间，区间不会超出取值范围。"),
    "reproduce": ("To reproduce this report: {command}", "重现本报告：{command}"),
    "more_runs": ("Runs used: {reps} per scenario and plan, {sreps} per staffing candidate, "
                  "{breps} per entrance and variant. Raise them with --replications, "
                  "--staffing-replications and --barrier-replications for narrower intervals.",
                  "本报告使用：每个情景和方案 {reps} 次，每个人员候选值 {sreps} 次，每个出入口和"
                  "方案变体 {breps} 次。可用 --replications、--staffing-replications、"
                  "--barrier-replications 增加次数以缩小置信区间。"),
    "glossary": ("Terms of the plan", "方案术语"),
    "none": ("none", "无"),
    "and_more": ("and {n} more", "等，另有 {n} 个"),
    "change_guards": ("Employ {n} more full-time guards ({have} → {need})",
                      "增配 {n} 名专职保安（{have} → {need} 名）"),
    "change_guards_why": ("SM-1.3b requires {required} for {area} m² of sales area; the "
                          "staffing study {study}.",
                          "SM-1.3b 按营业面积 {area} m² 要求 {required} 名；人员配备分析{study}。"),
    "study_answer": ("finds {answer} adequate for the bundled threats",
                     "表明 {answer} 名可应对各类威胁"),
    "study_not_run": ("was run for plan A only", "仅针对方案A进行"),
    "staff_no_study": ("The staffing study could not run: the mall has no attack, robbery "
                       "or hostage scenario (scenarios/*_{mall}.toml).",
                       "无法进行人员配备分析：该商场没有袭击、抢劫或劫持人质情景"
                       "（scenarios/*_{mall}.toml）。"),
    "study_missing": ("could not run: the mall has no attack scenario",
                      "无法进行：该商场没有袭击情景"),
    "study_none": ("finds no candidate adequate on its own", "表明仅增加保安人数不能满足全部指标"),
    "change_target": ("Fix what fails in {scenario}: {target} ({actual}; target {required})",
                      "解决“{scenario}”中未达标的指标：{target}（{actual}；要求 {required}）"),
    "change_target_why": ("simulated with this plan; tests clauses {clauses}",
                          "按本方案仿真所得；对应条款 {clauses}"),
    "change_bollards": ("Install bollards or barriers at {doors}",
                        "在 {doors} 设置升降柱或硬质防冲撞设施"),
    "change_bollards_why": ("SM-1.5: every door reachable by road needs one{ranked}",
                            "SM-1.5 要求车辆可达的出入口均须设置{ranked}"),
    "ranked_harm": ("; the ranking puts {door} at {prevented} victims prevented per ramming",
                    "；排序表明 {door} 每次冲撞可避免 {prevented} 人伤亡"),
    "change_clause_why": ("{clause}: {title}", "{clause}：{title}"),
    "priority_1": ("1 — measured risk to life", "1 — 仿真显示的生命安全风险"),
    "priority_2": ("2 — people and alarm chain", "2 — 人防与报警链"),
    "priority_3": ("3 — devices and barriers", "3 — 技防与物防设施"),
    "priority_4": ("4 — documents, training, drills", "4 — 制度、培训与演练"),
    "action_alarm-p95": ("Shorten the alarm chain (link the alarm to the police platform, "
                         "keep the CCTV room staffed, fit buttons where incidents start)",
                         "缩短报警链（接入公安机关报警平台、视频监控室值守、在事发点附近设应急警报装置）"),
    "action_responder-p95": ("Get responders to incidents within 3 minutes (more guards or "
                             "patrols where people are, posts at the entrances)",
                             "确保处置人员3分钟内到场（在人员密集处增加保安或巡逻，出入口设岗）"),
    "action_neutralised-p95": ("Stop an attacker within 5 minutes (equipped responders with "
                               "forks and shields near the entrances, the internal team ready)",
                               "确保5分钟内制服袭击者（出入口附近配备防暴叉、盾牌的处置人员，"
                               "内部防范组织随时出动）"),
    "action_rset-aset": ("Let people out before smoke makes a space untenable (earlier "
                         "alarm, wider or more exits)",
                         "确保人员在烟气使空间不可耐受之前撤离（更早报警、增加或加宽出口）"),
    "action_density-congestion": ("Relieve crowding on the escape routes (stairs and "
                                  "exits that stay at 4 p/m² for more than 10 % of the "
                                  "evacuation)",
                                  "缓解疏散路线拥堵（楼梯和出口密度达到4人/m²的时间超过"
                                  "疏散时间的10%）"),
    "action_density-critical": ("Prevent crush densities (5.5 p/m²): meter and redirect "
                                "crowds, widen the bottleneck",
                                "防止踩踏临界密度（5.5人/m²）：限流、分流，拓宽瓶颈"),
    "action_generic": ("Meet the target {target}", "达到指标：{target}"),
    "change_target_detail": ("{target} fails in {scenarios}: {actual} (target {required})",
                             "“{target}”在 {scenarios} 中未达到：{actual}（要求 {required}）"),
    "no_changes": ("Nothing to change: every judged clause and target is met.",
                   "无需整改：已判定的条款和指标全部达标。"),
}

#: The plan's terms: (Chinese, English, where the report uses them).
GLOSSARY: Final[tuple[tuple[str, str, str], ...]] = (
    ("平安商场", "Safe Mall (the 2017 Zhengzhou campaign)", "title; every clause SM-…"),
    ("营业面积", "sales floor area", "SM-1.3b"),
    ("专职保安", "full-time guard", "SM-1.3b, staffing study"),
    ("专职安防巡逻队", "dedicated security patrol team", "SM-1.3c, patrol routes"),
    ("内部防范组织", "internal prevention organisation (internal defence team, 5–10)",
     "SM-1.3d"),
    ("保卫专干", "shop security officer", "SM-1.3e"),
    ("治安联防小组（联防组）", "joint-defence group of 5–10 adjacent shops", "SM-1.3e"),
    ("门卫", "gate lodge", "SM-1.4a"),
    ("视频监控中心", "video monitoring centre (CCTV room)", "SM-1.4c, SM-1.4g"),
    ("24小时值班室", "24-hour duty room", "SM-1.4a"),
    ("应急警报装置", "emergency alarm device (alarm button)", "SM-1.4a, SM-5b"),
    ("公安机关报警平台", "police alarm platform (linked alarm, 联网报警)", "SM-1.4g, SM-5b"),
    ("应急照明、广播、消防系统", "emergency lighting, PA and fire systems", "SM-1.4d"),
    ("防暴叉、防暴棍、防暴盾牌", "anti-riot fork, baton, shield", "SM-1.4e"),
    ("物理隔离", "physical isolation (railings) at main entrances", "SM-1.4f"),
    ("减速带、警示标志", "speed bumps, warning signs", "SM-1.5"),
    ("隔离栏、升降柱、硬质防冲撞设施", "fences, rising bollards, hard anti-ramming barriers",
     "SM-1.5, barrier ranking"),
    ("义务消防队", "volunteer fire brigade: not named by the Zhengzhou plan; the fire "
     "scenarios' first response comes from the guards and the internal prevention "
     "organisation above", "fire scenarios"),
)

#: Scenario families (from the scenario file names) in both languages.
FAMILIES: Final[dict[str, tuple[str, str]]] = {
    "drill": ("evacuation drill", "疏散演练"), "fire": ("fire", "火灾"),
    "crush": ("crowd crush", "拥挤踩踏"), "attack": ("violent attack", "暴恐袭击"),
    "robbery": ("robbery", "抢劫"), "hostage": ("hostage-taking", "劫持人质"),
    "sabotage": ("sabotage", "破坏"), "explosion": ("explosion", "爆炸"),
    "other": ("other", "其他"),
}


def tr(key: str, lang: str, **fields: Any) -> str:
    """The text of ``key`` in ``lang`` (``en`` or ``zh``) with ``{fields}`` filled in."""
    en, zh = WORDS[key]
    text = zh if lang == "zh" else en
    return text.format(**fields) if fields else text


def fields_of(text: str) -> set[str]:
    """The ``{field}`` names in a text."""
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def status(st: str, lang: str) -> str:
    """A clause or target status in words."""
    return tr(f"st_{st}", lang)


def family(name: str, lang: str) -> str:
    """A scenario family in words."""
    en, zh = FAMILIES.get(name, (name, name))
    return zh if lang == "zh" else en
