"""Generated item text for the benchmark: Chinese titles and bodies built from clause
templates whose slots take place names, villages, crops, projects, figures and dates.

The aim is text that *behaves* like real 政务信息 for the database and for the duplicate
check: bodies of 300–1200 characters that share vocabulary within a theme but rarely
share whole sentences, so that two unrelated items have a low trigram similarity (real
items from different units seldom look alike) and the search terms below occur in a
small fraction of items, as a real search term does.
"""

import random

THEMES = ("边境", "农业", "旅游", "山区", "灾害", "项目", "改革")

PLACES = """官渡区 呈贡区 晋宁区 富民县 宜良县 石林县 嵩明县 禄劝县 寻甸县 安宁市 麒麟区 沾益区 马龙区 陆良县
师宗县 罗平县 富源县 会泽县 宣威市 红塔区 江川区 澄江市 通海县 华宁县 易门县 峨山县 新平县 元江县 隆阳区 施甸县
龙陵县 昌宁县 腾冲市 昭阳区 鲁甸县 巧家县 盐津县 大关县 永善县 绥江县 镇雄县 彝良县 威信县 水富市 古城区 玉龙县
永胜县 华坪县 宁蒗县 思茅区 宁洱县 墨江县 景东县 景谷县 镇沅县 江城县 孟连县 澜沧县 西盟县 临翔区 凤庆县 云县
永德县 镇康县 双江县 耿马县 沧源县 楚雄市 双柏县 牟定县 南华县 姚安县 大姚县 永仁县 元谋县 武定县 禄丰市 个旧市
开远市 蒙自市 弥勒市 屏边县 建水县 石屏县 泸西县 元阳县 红河县 金平县 绿春县 河口县 文山市 砚山县 西畴县 麻栗坡县
马关县 丘北县 广南县 富宁县 景洪市 勐海县 勐腊县 大理市 漾濞县 祥云县 宾川县 弥渡县 南涧县 巍山县 永平县 云龙县
洱源县 剑川县 鹤庆县 芒市 瑞丽市 梁河县 盈江县 陇川县 泸水市 福贡县 贡山县 兰坪县 香格里拉市 德钦县 维西县""".split()
VILLAGE_CHARS = "安白碧长大德东丰福富古关河和红华吉金景康兰乐龙马美明南平青清瑞三山盛石松太田新兴阳永云中"
CROPS = ("咖啡", "茶叶", "核桃", "花卉", "高原蔬菜", "烤烟", "甘蔗", "橡胶", "中药材", "肉牛", "生猪", "柑橘",
         "蓝莓", "夏秋马铃薯", "魔芋", "澳洲坚果", "冬早蔬菜", "食用菌", "芒果", "石斛")  # fmt: skip
PROJECTS = ("高速公路", "水库", "产业园区", "物流园", "污水处理厂", "光伏电站", "抽水蓄能电站", "综合交通枢纽",
            "保障性住房", "灌区", "冷链仓储中心", "职业教育园区", "县域医疗中心", "城市更新片区", "数据中心")  # fmt: skip
SPOTS = ("古镇", "国家级风景名胜区", "湿地公园", "温泉小镇", "民族文化村", "茶马古道遗址", "高原湖泊", "森林公园",
         "地质公园", "非遗工坊", "半山酒店", "自驾营地", "梯田景区", "边境旅游区")  # fmt: skip
DISASTERS = ("强降雨", "山洪", "泥石流", "滑坡", "干旱", "冰雹", "地震", "森林火灾", "低温冻害", "大风")
REFORMS = ("营商环境", "“放管服”改革", "国资国企改革", "“一网通办”", "农村集体产权制度改革", "要素市场化配置改革",
           "工程建设项目审批制度改革", "医保支付方式改革", "“多规合一”", "开发区管理体制改革", "林权制度改革")  # fmt: skip
PORTS = ("磨憨口岸", "瑞丽口岸", "河口口岸", "天保口岸", "猴桥口岸", "清水河口岸", "孟定口岸", "打洛口岸", "畹町口岸")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
GIVEN = "志明建华红梅丽娟国强海燕秀英文杰晓东春雨新宇静怡俊峰玉兰永福"

PERIODS = ("今年以来", "近年来", "{m}月以来", "入汛以来", "“十四五”以来", "今年一季度", "上半年", "前三季度",
           "{m}月{d}日", "近日", "近期", "本月以来")  # fmt: skip
ORDINALS = "一二三四五六七八九"

TITLES = {
    "边境": ["{unit}多措并举筑牢边境安全防线", "{port}通关效率提升{pct}%", "{place}扎实推进兴边富民行动",
             "{unit}强化抵边村寨建设成效明显", "{place}边民互市贸易额突破{amt}亿元", "{unit}守好边境“南大门”",
             "{port}跨境物流量同比增长{pct}%", "{place}建成现代化边境小康村{n}个"],
    "农业": ["{unit}抓实春耕备耕确保粮食稳产增产", "{place}{crop}产业综合产值突破{amt}亿元",
             "{unit}推进高原特色农业提质增效", "{place}{crop}种植面积达{n}万亩", "{unit}全力保障“菜篮子”供应",
             "{place}高标准农田建设完成{n}万亩", "{unit}做强做优{crop}产业链"],
    "旅游": ["{place}{spot}接待游客{n}万人次", "{unit}推动文旅深度融合发展", "{place}旅游收入同比增长{pct}%",
             "{unit}打造“有一种叫云南的生活”新场景", "{place}{spot}入选省级旅游度假区", "{unit}提升旅游服务质量"],
    "山区": ["{unit}加快推进山区群众增收致富", "{place}易地搬迁安置点后续扶持见实效", "{unit}补齐山区基础设施短板",
             "{place}{n}个自然村通硬化路", "{unit}巩固拓展脱贫攻坚成果", "{place}山区学校办学条件持续改善"],
    "灾害": ["{place}遭受{disaster}袭击 {unit}全力开展抢险救灾", "{unit}扎实做好森林防火工作",
             "{place}{disaster}灾情及应对情况", "{unit}提前转移避险群众{n}人", "{unit}防汛抗旱工作有力有序",
             "{place}发生{disaster} 各项处置工作有序开展"],
    "项目": ["{unit}重大项目建设提速增效", "{place}{proj}项目开工建设", "{unit}前{m}个月完成投资{amt}亿元",
             "{place}{proj}建设进度达{pct}%", "{unit}争取专项债券资金{amt}亿元", "{unit}“三个一批”项目推进有力"],
    "改革": ["{unit}持续优化{reform}", "{place}{reform}取得新突破", "{unit}深化{reform}激发市场活力",
             "{place}企业开办时间压缩至{d}个工作日", "{unit}以{reform}推动高质量发展"],
}  # fmt: skip

HEADS = {
    "边境": ["强化边境管控", "推进兴边富民", "提升口岸功能", "加强联防联控", "发展边境贸易", "建设抵边村寨",
             "深化跨境合作", "做好护边员管理"],
    "农业": ["稳定粮食生产", "壮大特色产业", "强化农技服务", "建设高标准农田", "培育经营主体", "拓宽销售渠道",
             "推进品牌建设", "加强农田水利"],
    "旅游": ["丰富旅游产品", "完善配套设施", "加强市场监管", "创新营销方式", "培育新兴业态", "提升服务品质"],
    "山区": ["改善交通条件", "发展山地产业", "抓好就业帮扶", "完善公共服务", "推进人居环境整治", "加强后续扶持"],
    "灾害": ["强化监测预警", "全力抢险救援", "妥善安置群众", "加快恢复重建", "压实防控责任", "加强物资保障"],
    "项目": ["强化要素保障", "优化审批服务", "压实推进责任", "加强调度督导", "狠抓招商引资", "做好前期工作"],
    "改革": ["简化审批流程", "推进数据共享", "完善制度机制", "强化监管执法", "优化政务服务", "激发主体活力"],
}  # fmt: skip

CLAUSES = {
    "边境": ["{place}组织{n}名护边员开展24小时巡逻，累计巡查边境线{m}公里",
             "{port}日均验放出入境人员{n}人次，进出口货运量{amt}万吨",
             "{place}{village}村新建边境小康示范房{n}户，配套建设活动场所{m}个",
             "依托{port}发展边民互市，{m}月份交易额达{amt}亿元，同比增长{pct}%",
             "与{place}公安、海关等部门开展联合执法{n}次，查处案件{m}起",
             "{place}抵边{n}个行政村全部实现4G信号覆盖，村组道路硬化率达{pct}%",
             "{port}推行“提前申报、抵港直装”模式，货物通关时间压缩{pct}%",
             "在{village}村设立边境便民服务站，为边民办理证照{n}件"],
    "农业": ["{place}完成{crop}种植{n}万亩，预计产量{amt}万吨",
             "组织{n}名农技人员深入{village}村等田间地头开展技术指导{m}场次",
             "{place}新建{crop}标准化基地{n}个，带动农户{m}户增收",
             "全年争取{crop}产业发展资金{amt}亿元，撬动社会投资{m}亿元",
             "{place}{crop}出口订单同比增长{pct}%，远销东南亚等{n}个国家和地区",
             "培育{crop}加工龙头企业{n}户，农产品加工转化率达{pct}%",
             "{village}村引进{crop}新品种{n}个，亩均增收{m}元",
             "建成{crop}冷链仓储设施{n}座，库容{m}吨，损耗率下降{pct}个百分点"],
    "旅游": ["{place}{spot}{m}月接待游客{n}万人次，实现旅游收入{amt}亿元",
             "推出{n}条精品旅游线路，串联{place}{spot}等{m}个景点",
             "{village}村发展民宿{n}家，带动村民就业{m}人",
             "开展旅游市场专项整治{n}次，处理游客投诉{m}件，办结率{pct}%",
             "{place}{spot}完成提升改造，新增停车位{n}个、旅游厕所{m}座",
             "举办文旅推介活动{n}场，线上曝光量超{m}万次"],
    "山区": ["{place}{village}村新修通组路{n}公里，解决{m}户群众出行难题",
             "{place}完成易地搬迁安置点配套建设{n}个，安置群众{m}人",
             "为山区群众提供就业岗位{n}个，劳动力转移就业{m}万人",
             "投入资金{amt}亿元实施山区饮水安全巩固提升工程{n}件",
             "{village}村发展林下经济{n}亩，户均增收{m}元",
             "山区{n}所乡村学校完成改薄，新增学位{m}个"],
    "灾害": ["{m}月{d}日，{place}遭受{disaster}，造成{n}人受灾，紧急转移群众{m}人",
             "{place}派出救援力量{n}人、车辆{m}台赶赴{village}村开展救援",
             "调拨帐篷{n}顶、折叠床{m}张等救灾物资支援受灾群众",
             "排查地质灾害隐患点{n}处，落实监测员{m}名",
             "做好森林防火巡查，{place}设置检查站{n}个，出动巡护人员{m}人次",
             "初步统计直接经济损失{amt}亿元，已下拨应急资金{m}万元"],
    "项目": ["{place}{proj}项目完成投资{amt}亿元，占年度计划的{pct}%",
             "协调解决用地、用林、资金等问题{n}个，争取专项债券资金{amt}亿元",
             "推行并联审批和容缺受理，{proj}项目审批用时压缩至{n}个工作日",
             "对进度滞后的{n}个项目实行挂牌督办，逐一明确责任单位和完成时限",
             "{place}新签约招商项目{n}个，协议投资{amt}亿元",
             "{proj}项目新开工{n}个、竣工投产{m}个"],
    "改革": ["{place}推行{reform}，企业开办时间压缩至{d}个工作日",
             "梳理政务服务事项{n}项，实现“一网通办”{m}项",
             "深化{reform}，{place}市场主体新增{n}户，同比增长{pct}%",
             "取消、下放行政审批事项{n}项，减少证明材料{m}份",
             "{place}建成“一站式”服务大厅{n}个，群众满意度达{pct}%",
             "清理拖欠企业账款{amt}亿元，减税降费{m}亿元"],
}  # fmt: skip

NEXT_STEPS = ["继续加大工作力度，确保完成全年目标任务", "及时总结经验，形成可复制可推广的做法",
              "强化跟踪问效，推动各项措施落地见效", "加强统筹协调，研究解决存在的困难和问题",
              "持续抓好后续工作，有关情况将及时续报"]  # fmt: skip


class TextMaker:
    """Deterministic for a given `random.Random`."""

    def __init__(self, rnd: random.Random):
        self.r = rnd
        self.villages = [a + b for a in VILLAGE_CHARS for b in VILLAGE_CHARS if a != b]

    def _fill(self, template: str, unit: str) -> str:
        r = self.r
        return template.format(
            unit=unit,
            place=r.choice(PLACES),
            village=r.choice(self.villages),
            crop=r.choice(CROPS),
            proj=r.choice(PROJECTS),
            spot=r.choice(SPOTS),
            disaster=r.choice(DISASTERS),
            reform=r.choice(REFORMS),
            port=r.choice(PORTS),
            n=r.randint(2, 999),
            m=r.randint(1, 12) if r.random() < 0.3 else r.randint(10, 9999),
            d=r.randint(1, 28),
            pct=f"{r.uniform(1, 60):.1f}",
            amt=f"{r.uniform(0.5, 300):.{r.choice((1, 2))}f}",
        )

    def person(self) -> str:
        return self.r.choice(SURNAMES) + "".join(self.r.sample(GIVEN, self.r.choice((1, 2))))

    def item(self, unit: str, themes: list[str], *, brief: bool = False) -> tuple[str, str]:
        """(title, body) about `themes` (the first one leads) written by `unit`."""
        r = self.r
        lead = themes[0]
        title = self._fill(r.choice(TITLES[lead]), unit)
        target = r.randint(300, 450) if brief else r.randint(450, 1200)
        period = self._fill(r.choice(PERIODS), unit)
        paras = [f"{period}，{unit}{self._fill(r.choice(CLAUSES[lead]), unit)}，取得积极成效。"]
        length = len(paras[0])
        heads = {t: r.sample(HEADS[t], len(HEADS[t])) for t in themes}
        for i in range(len(ORDINALS)):
            theme = themes[i % len(themes)]
            if not heads[theme] or length >= target:
                break
            clauses = [self._fill(c, unit) for c in r.sample(CLAUSES[theme], r.randint(1, 3))]
            para = f"{ORDINALS[i]}是{heads[theme].pop()}。" + "；".join(clauses) + "。"
            paras.append(para)
            length += len(para)
        while length < target:  # short of the target: one more fact paragraph
            theme = r.choice(themes)
            para = self._fill(r.choice(CLAUSES[theme]), unit) + "。"
            paras.append(para)
            length += len(para)
        paras.append(f"下一步，{unit}将{r.choice(NEXT_STEPS)}。")
        return title, "\n".join(paras)
