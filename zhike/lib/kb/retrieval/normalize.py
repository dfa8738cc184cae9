"""Normalisation of a question before matching: width, case, traditional forms, punctuation.

``normalize("請問，下單後多久出貨？ VIP")`` is ``"请问下单后多久出货vip"``: NFKC folds
full-width letters, digits and punctuation; letters are lower-cased; common traditional
characters become their simplified forms (a table of the characters customers type, not
a full converter); everything that is not a letter, a digit or a CJK character goes.
"""

from __future__ import annotations

import re
import unicodedata

# Traditional -> simplified, pairs of characters. Common in customer questions; a
# variant that is also a simplified character of its own (著, 乾, 覆) is left alone.
_TRADITIONAL_PAIRS = (
    "貨货單单請请問问後后發发髮发說说話话語语讀读寫写買买賣卖價价錢钱費费貴贵賬账帳账"
    "戶户號号碼码機机電电腦脑網网絡络線线車车運运達达遞递郵邮區区與与國国際际東东時时"
    "間间閒闲歲岁為为麼么麽么這这們们個个嗎吗還还開开關关門门題题顯显點点幾几處处辦办"
    "員员會会課课師师學学習习書书練练聽听筆笔記记換换準准備备聯联繫系係系優优劵券訂订"
    "購购實实體体對对於于當当現现應应該该從从讓让給给經经過过進进選选擇择寶宝貝贝質质"
    "補补償偿損损壞坏舊旧樣样長长態态氣气無无須须雖虽隨随認认證证確确誤误錯错鐘钟鍾钟"
    "條条規规則则權权務务協协議议變变隻只衛卫視视頻频訊讯裝装載载軟软設设計计統统級级"
    "紅红綠绿藍蓝黃黄夠够儘尽盡尽據据稅税額额總总數数類类節节約约紀纪結结組组織织純纯"
    "紙纸細细終终續续維维護护層层廣广場场塊块壓压報报藝艺萬万華华專专業业內内兩两夥伙"
    "動动勞劳醫医藥药療疗歡欢樂乐愛爱親亲覺觉觀观見见頁页頭头領领預预順顺風风飛飞飯饭"
    "館馆馬马驗验鬆松鮮鲜雞鸡麵面齊齐龍龙邊边遠远連连週周遲迟鄉乡鎮镇陸陆陽阳隊队階阶"
    "難难雙双離离靈灵韓韩響响頂顶項项願愿顧顾飽饱餘余樓楼檢检構构標标歷历殘残沒没淨净"
    "滿满漢汉濟济熱热燈灯狀状獨独獲获產产畫画異异盤盘積积稱称穩稳窮穷範范簡简簽签糧粮"
    "緊紧縣县繳缴罰罚聞闻職职聲声腳脚臺台舉举蟲虫術术衝冲裡里裏里複复討讨訓训託托許许"
    "診诊試试詢询詳详誠诚調调談谈論论諮咨謝谢識识豐丰負负財财貢贡販贩責责貸贷貼贴資资"
    "賠赔賺赚賽赛贈赠趕赶跡迹蹤踪躍跃軍军較较輕轻輛辆輸输轉转農农釋释針针鈔钞銀银銷销"
    "鋪铺錄录鍵键鎖锁鏈链閉闭閱阅闆板隱隐雲云頒颁顏颜鬧闹黨党齒齿嘗尝啟启啓启團团圍围"
    "圖图奪夺婦妇寧宁寬宽導导屆届屬属幣币帶带幫帮廳厅彈弹徵征憑凭戲戏戰战擁拥擔担擊击"
    "敗败敵敌斷断暫暂曆历極极樹树橋桥櫃柜歸归殺杀決决況况淺浅測测湯汤滅灭潔洁澤泽濕湿"
    "灣湾災灾爭争牆墙獎奖環环瑪玛疊叠癒愈盜盗眾众礎础禮礼種种築筑糾纠納纳紛纷紹绍絕绝"
    "絲丝綜综緒绪編编緣缘縮缩績绩繩绳繼继羅罗義义聖圣肅肃脫脱膚肤興兴莊庄蘋苹蘭兰蝦虾"
    "製制襪袜覽览訪访評评詞词詩诗誌志諾诺謀谋講讲謊谎譯译讚赞貓猫貿贸賀贺賞赏贏赢趨趋"
    "踐践軌轨軸轴輔辅輪轮辭辞違违適适遺遗鄰邻醬酱釣钓鈕钮鉛铅錶表鍋锅鏡镜鐵铁閃闪闊阔"
    "險险雜杂靜静頓顿頸颈顆颗飲饮飾饰養养餅饼驅驱驚惊髒脏鬥斗魚鱼鳥鸟鹽盐麥麦黴霉妳你"
)
TRADITIONAL_TO_SIMPLIFIED: dict[int, str] = {
    ord(_TRADITIONAL_PAIRS[i]): _TRADITIONAL_PAIRS[i + 1]
    for i in range(0, len(_TRADITIONAL_PAIRS), 2)
}
# Letters, digits and CJK ideographs stay; everything else (punctuation, spaces, emoji) goes.
_NOT_TEXT = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def normalize(text: str) -> str:
    """The matching form of ``text``: half-width, lower case, simplified, no punctuation.

    Args:
        text: Anything a customer or an editor typed (``None``-safe: empty stays empty).

    Returns:
        Letters, digits and Chinese characters only, e.g. ``"请问下单后多久出货vip"``.
    """
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return _NOT_TEXT.sub("", folded.translate(TRADITIONAL_TO_SIMPLIFIED))
