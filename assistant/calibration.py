"""Put dense scores on an encoder-independent scale, measured when the index is built.

Raw cosines mean different things per encoder (e5 puts unrelated Chinese text near 0.85, bge near 0.3). At
build time we embed a fixed set of everyday questions that no corpus about online trading answers and record
how close they get to the corpus: that level is "unrelated" for this encoder and corpus, and dense scores are
measured as the distance travelled from it towards a perfect match.
"""

import numpy as np

from assistant.encoders import Encoder

BACKGROUND_QUESTIONS = (
    "明天北京会下雨吗", "红烧肉怎么做才好吃", "考研数学一般复习多久", "Python列表怎么排序", "男朋友不回消息怎么办",
    "感冒了吃什么药好得快", "世界杯冠军是哪个国家", "周末去哪里爬山比较好", "猫咪不吃饭是什么原因", "怎么提高英语口语",
    "高铁可以带多少行李", "孩子数学成绩差怎么办", "手机内存满了怎么清理", "失眠睡不着有什么办法", "推荐几本好看的小说",
    "how do I bake bread", "what is the capital of Australia", "股票明天会涨吗", "跑步膝盖疼怎么办", "装修选什么颜色的瓷砖",
)


# Questions in English reach lower cosines against Chinese passages, related or not: they get their own level.
BACKGROUND_QUESTIONS_EN = (
    "how do I bake bread", "what is the capital of Australia", "who won the world cup", "best hiking trails nearby",
    "how to learn the guitar", "why is my cat not eating", "recommend a good novel", "how to fix a flat bike tire",
    "what time is sunset today", "how do I clean my phone storage", "tips for a job interview", "how to cook rice",
    "is coffee bad for sleep", "how many planets are there", "how to make my plants grow faster",
)


def dense_background(encoder: Encoder, vectors: np.ndarray, questions=BACKGROUND_QUESTIONS) -> float:
    """Mean best cosine that unrelated everyday questions reach against the corpus vectors."""
    queries = encoder.encode_queries(list(questions))
    return float((queries @ vectors.T).max(axis=1).mean())


def calibrate_dense(cosines: np.ndarray, background: float) -> np.ndarray:
    """0 at (or below) the unrelated level, 1 at a perfect match."""
    return np.clip((cosines - background) / max(1.0 - background, 1e-6), 0.0, 1.0)
