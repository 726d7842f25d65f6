"""What a question asks: whether something is required or allowed, the penalty, what to do, a time limit, an amount,
who, a definition or a list.

The intent decides how an answer is chosen: a curated FAQ answer is used only when it was written for the same kind
of question, "怎么办" questions get the duty and where to complain rather than the fine, a yes/no opener (算。会。)
appears only for yes/no questions, and only a "do I have to / may I" question (or one stating facts) is decided by a
questionnaire. Recognition is by the question words people use; the first kind that matches, in the order below, is
the question's intent (不办执照会被罚吗 asks about the penalty, not whether to register).
"""

import re
from dataclasses import dataclass

KINDS = ("definition", "remedy", "penalty", "deadline", "amount", "who", "list", "decision", "howto", "other")

_PATTERNS = {
    "remedy": r"怎么办(?!理)|咋办(?!理)|怎么维权|如何维权|维权|举报|投诉|报警|找谁|向谁反映|哪里反映|去哪反映|找哪个部门|怎么摆脱|怎样摆脱|"
              r"怎么拒绝|如何拒绝|怎么处理|如何处理|怎么解决|如何解决|怎么追回|能退吗|退款|赔偿吗|怎么要回|告他|起诉",
    "penalty": r"(?<!平台处)罚(?!信息|决定)|法律责任|什么责任|啥责任|承担.{0,4}责任|后果|会怎样|会怎么样|会有事|会被怎么|查处|吊销|"
               r"违法.{0,4}怎么|处理结果|被处理|惩罚|追责|追究|问责|哪个法|哪条法|什么法|触犯|penalt|fine",
    "deadline": r"多久|多长时间|多长|几天|几年|几个月|几日|期限|时限|什么时候|何时|哪天|提前几|保存多|多少天|多少年|多少个工作日|"
                r"工作日|起施行|开始施行|开始实施|生效|来得及|how long|when",
    "amount": r"多少钱|多少元|多少块|标准是多少|额度|金额|上限|多少万|门槛|限额|多少以下|多少以上|多少以内|卖多少|多少|"
              r"how much",
    "who": r"谁来|由谁|是谁|谁负责|谁管|哪个部门|哪些部门|什么部门|哪个机关|哪一级|归谁|who",
    "definition": r"什么是|是什么意思|啥意思|什么意思|指什么|定义|怎么认定|如何认定|怎么界定|如何界定|是指|算是什么|"
                  r"属于什么|哪种情况算|means what|what is|what does",
    "list": r"哪些|有哪些|包括什么|包括哪些|包含哪些|写什么|写啥|写些什么|填什么|填啥|放什么|放啥|挂什么|公示什么|公示些|公示啥|"
            r"展示什么|展示哪些|展示啥|标明什么|注意什么|注意哪些|注意啥|什么信息|哪些信息|什么内容|需要做什么|要做什么|要做哪些|"
            r"义务|要求|什么条件|哪些条件|what",
    "decision": r"要不要|需不需要|用不用|必不必须|必须|是否|可以吗|可不可以|能不能|能否|允许|(?:合法|违法|违规|犯法)的?(?:吗|么)|犯法不|犯不犯法|"
                r"算不算|是不是|行不行|"
                r"行吗|有没有必要|要办|需要办|得办|要登记|需要登记|需要.{0,12}吗|要.{0,12}吗|算.{0,12}吗|能.{0,10}吗|可以.{0,10}吗|"
                r"会不会|不用.{0,8}吗|do i need|must i|can i|is it legal|allowed",
    "howto": r"怎么|如何|怎样|咋|how",
}
# The gaps of "需要.{0,12}吗" hold the topic ("要实名认证吗"): they are captured, so the question words kept for
# retrieval to leave out are only 要 … 吗, never the words the question is about.
_GAP = re.compile(r"\.\{0,(\d+)\}")
_COMPILED = {kind: re.compile(_GAP.sub(r"(.{0,\1})", pattern), re.IGNORECASE) for kind, pattern in _PATTERNS.items()}
GAP = "…"  # stands for a captured gap in Intent.words
# "刷单会被罚吗", "会有事吗", "触犯哪条法律": whether a behaviour is punished rests on the duty it breaks, so the duty is
# cited first and the penalty after it; "罚多少 / 怎么罚 / 按什么处罚" asks for the penalty itself.
_WHETHER_PUNISHED = re.compile(r"(被|挨)?(罚|处罚|罚款|处理)(吗|么|不)|会有事")
# "怎么办" asks for a remedy only from someone wronged: words of complaint, or of harm done by another. "拼多多收到需办理
# 市场主体登记的通知怎么办" is a merchant asking what to do about its own duty: the duty answers it, not 12315.
_COMPLAINT = re.compile(r"投诉|举报|维权|报警|起诉|告他|找谁|向谁反映|哪里反映|去哪反映|哪个部门|摆脱|拒绝|追回|要回|退款|赔偿|索赔|"
                        r"被|骗|泄露|泄漏|骚扰|轰炸|跑路|假货|不发货|扣款|扣费|偷偷|强制|霸王|卖家|商家|店家|主播|客服|"
                        r"收到.{0,8}(?:短信|电话|广告)")
# A yes/no question: the answer may open with 是/不是/需要/算. "要不要办" is one; "需要公示哪些" is not.
_YES_NO = re.compile(r"(吗|么|不|没|否|行不行|是不是|算不算|要不要|需不需要|用不用|能不能|可不可以|会不会|有没有)\s*[?？。!！]*\s*$|"
                     r"(是否|要不要|需不需要|用不用|能不能|可不可以|会不会|算不算|是不是|犯不犯法)")


@dataclass(frozen=True)
class Intent:
    """The kind of question, the words that showed it, and whether it can be answered yes or no."""

    kind: str
    words: str  # the question words, a gap holding the topic written as GAP: "要…吗"
    yes_no: bool
    whether_punished: bool = False  # asks whether a behaviour is punished, not how or how much
    penalty_words: bool = False     # the whole text asks about a penalty, whichever clause asks last
    complaint: bool = False         # a remedy asked by someone wronged (投诉, 被骗, 卖家泄露…), not a merchant's 怎么办

    @property
    def asks_penalty(self) -> bool:
        """Asks for the penalty itself (罚多少, 怎么处罚), so the penalty article leads; otherwise the duty does.
        "格式条款违规按什么处罚？修改以后是不是变了" asks it too, though its last clause is a yes/no question."""
        return (self.kind == "penalty" or self.penalty_words) and not self.whether_punished

    @property
    def decides(self) -> bool:
        """A question about whether something is required or allowed, which a questionnaire can decide."""
        return self.kind == "decision"


_CLAUSE = re.compile(r"[,，。.;；!！?？]+")


def recognise(text: str) -> Intent:
    """The intent of one question (already normalised).

    People state the situation first and ask last ("没挂营业执照被人投诉了，会罚多少"), so the kind is that of the last
    clause that asks something (then of the whole text); within each, the first kind in KINDS order that matches.
    The words kept are those of the whole text's first match, which retrieval leaves out of the lexical query: a
    clause's match can hold the topic itself ("可以提前吗").
    """
    yes_no = bool(_YES_NO.search(text))
    whether = yes_no and bool(_WHETHER_PUNISHED.search(text)) or "触犯" in text
    whole = _first(text)
    parts = clauses(text)
    penalty = bool(whole) and whole[0] == "penalty"
    complaint = bool(_COMPLAINT.search(text))
    for clause in reversed(parts) if len(parts) > 1 else []:
        found = _first(clause)
        if found:
            return Intent(found[0], whole[1] if whole else found[1], yes_no, whether, penalty,
                          found[0] == "remedy" and complaint)
    if whole:
        return Intent(whole[0], whole[1], yes_no, whether, penalty, whole[0] == "remedy" and complaint)
    return Intent("other", "", yes_no, whether)


def clauses(text: str) -> list[str]:
    """The clauses of a question, split at punctuation."""
    return [c for c in _CLAUSE.split(text) if c.strip()]


def _first(text: str) -> tuple[str, str] | None:
    for kind in KINDS[:-1]:
        match = _COMPILED[kind].search(text)
        if match:
            return kind, _without_gaps(match)
    return None


def _without_gaps(match: re.Match) -> str:
    """The matched question words with each captured gap replaced by GAP."""
    words, end = [], match.start()
    for i in range(1, (match.lastindex or 0) + 1):
        if match.start(i) >= 0:
            words.append(match.string[end:match.start(i)])
            end = match.end(i)
    words.append(match.string[end:match.end()])
    return GAP.join(words)


def without_form(text: str, words: str) -> str:
    """The text with its question words (Intent.words) blanked out and the topic inside their gaps kept."""
    parts = [re.escape(p) for p in words.split(GAP)]
    if not any(parts):
        return text
    return re.sub("(.*?)".join(parts), lambda m: " " + " ".join(m.groups()) + " ", text, count=1)
