#!/usr/bin/env python3
"""Generates userdict.txt (jieba format: `word freq tag`) for hezuo-search.

Sources: the GB/T 4754-2017 industry names of the domain crate (long names split on 、和及),
the first-level disciplines of the Ministry of Education's catalogue, and terms of city–university
cooperation and enterprise technology. Run from anywhere; it writes next to itself:

    python3 crates/search/data/make_userdict.py
"""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
TSV = os.path.join(HERE, "..", "..", "domain", "data", "industries_gbt4754_2017.tsv")

DISCIPLINES = """
哲学 理论经济学 应用经济学 法学 政治学 社会学 民族学 马克思主义理论 公安学 教育学 心理学 体育学
中国语言文学 外国语言文学 新闻传播学 考古学 中国史 世界史 数学 物理学 化学 天文学 地理学 大气科学
海洋科学 地球物理学 地质学 生物学 系统科学 科学技术史 生态学 统计学 力学 机械工程 光学工程
仪器科学与技术 材料科学与工程 冶金工程 动力工程及工程热物理 电气工程 电子科学与技术 信息与通信工程
控制科学与工程 计算机科学与技术 建筑学 土木工程 水利工程 测绘科学与技术 化学工程与技术 地质资源与地质工程
矿业工程 石油与天然气工程 纺织科学与工程 轻工技术与工程 交通运输工程 船舶与海洋工程 航空宇航科学与技术
兵器科学与技术 核科学与技术 农业工程 林业工程 环境科学与工程 生物医学工程 食品科学与工程 城乡规划学
风景园林学 软件工程 生物工程 安全科学与工程 公安技术 网络空间安全 作物学 园艺学 农业资源与环境 植物保护
畜牧学 兽医学 林学 水产 草学 基础医学 临床医学 口腔医学 公共卫生与预防医学 中医学 中西医结合 药学
中药学 特种医学 医学技术 护理学 军事思想及军事历史 战略学 战役学 战术学 军队指挥学 军事管理学
军队政治工作学 军事后勤学 军事装备学 军事训练学 管理科学与工程 工商管理 农林经济管理 公共管理
图书情报与档案管理 艺术学理论 音乐与舞蹈学 戏剧与影视学 美术学 设计学 集成电路科学与工程 国家安全学
交叉学科 区域国别学 遥感科学与技术 智能科学与技术 纳米科学与工程
""".split()

TERMS = """
市校合作 校地合作 县院合作 技术难题 技术需求 成果转化 科技成果 中试基地 博士后工作站 院士工作站 产学研
产教融合 数字化改造 智能制造 新能源汽车 光伏 锂电池 氟化工 特种纸 数控机床 工业互联网 工业机器人
新材料 生物医药 高新技术企业 专精特新 科技特派员 技术转移 知识产权 专利转让 技术攻关 联合攻关
研发中心 重点实验室 工程技术中心 孵化器 众创空间 共建平台 人才引进 揭榜挂帅 碳达峰 碳中和
节能减排 污水处理 固废处理 数字经济 大数据 人工智能 物联网 云计算 区块链 集成电路 传感器
电机控制 自动化生产线 精密加工 模具设计 表面处理 食品安全 农产品加工 乡村振兴 共同富裕 山海协作
""".split()


def industry_parts():
    parts = []
    with open(TSV, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 2:
                continue
            name = cols[1].strip()
            if len(name) <= 6:
                parts.append(name)
            pieces = [p.strip() for p in re.split(r"[、，,和及]", name)]
            for i, piece in enumerate(pieces):
                # 农、林、牧、渔专业 → skip 渔专业 (an ellipsis after one-character parts); 及其制品 → skip 其制品
                after_single = i > 0 and len(pieces[i - 1]) == 1
                elided = piece.startswith("其") and not piece.startswith("其他")
                if 2 <= len(piece) <= 8 and piece != name and not after_single and not elided:
                    parts.append(piece)
    return parts


def main():
    seen = set()
    lines = []
    for words, freq, tag in ((industry_parts(), 3000, "n"), (DISCIPLINES, 3000, "n"), (TERMS, 5000, "n")):
        for w in words:
            if len(w) >= 2 and w not in seen:
                seen.add(w)
                lines.append(f"{w} {freq} {tag}")
    with open(os.path.join(HERE, "userdict.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(len(lines), "words")


if __name__ == "__main__":
    main()
