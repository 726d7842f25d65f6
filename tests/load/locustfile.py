"""Realistic mixed traffic for `locust` (headless): what merchants in a seller centre's widget and a platform's
backend do. Questions are the real-world wording of eval/real.yaml and eval/dev.yaml.

Weights per simulated user (a merchant with the widget open):
  ask a question 8, a follow-up turn 3, a self-assessment step by step 2 (and its report 1/4 of the time),
  open the widget 1, 👍/👎 feedback 1 (its question carries a marker so the run can count the rows in the database).

    locust -f tests/load/locustfile.py --headless -u 20 -r 10 -t 60s --host http://127.0.0.1:7860

LOAD_THINK=0 makes every user a closed loop without think time (N users = N concurrent clients), for throughput.
"""

import os
import random
import uuid
from pathlib import Path

import yaml
from locust import FastHttpUser, between, task

ROOT = Path(__file__).resolve().parents[2]
MARK = os.environ.get("LOAD_MARK", "load-" + uuid.uuid4().hex[:8])  # feedback rows of this run carry it


def _questions() -> list[str]:
    out = []
    for name in ("real.yaml", "dev.yaml"):
        data = yaml.safe_load((ROOT / "eval" / name).read_text(encoding="utf-8"))
        out += [item["q"] for part in ("in_scope", "out_of_scope") for item in data[part]]
    return out


QUESTIONS = _questions()
FOLLOW_UPS = ["那如果超过10万呢？", "要罚多少钱？", "去哪里投诉？", "个体户也要吗？", "那直播呢"]
REGISTRATION = [{"operator": "individual"}, {"activity": "other"}, {"license_required": "no"},
                {"annual_turnover": "8万"}]


THINK = float(os.environ.get("LOAD_THINK", "1.0"))  # seconds a merchant waits at most between actions; 0 = none


class Merchant(FastHttpUser):  # geventhttpclient: the load generator shares the 2 cores, so keep it cheap
    wait_time = between(0.2 * THINK, THINK)

    @task(8)
    def ask(self):
        self.client.post("/api/v1/ask", json={"question": random.choice(QUESTIONS)}, name="/api/v1/ask")

    @task(3)
    def follow_up(self):
        first = random.choice(QUESTIONS)
        self.client.post("/api/v1/ask", json={"question": random.choice(FOLLOW_UPS), "history": [first]},
                         name="/api/v1/ask (follow-up)")

    @task(2)
    def assessment(self):
        answers = {}
        for step in REGISTRATION:
            answers.update(step)
            self.client.post("/api/v1/assess/registration", json={"answers": answers},
                             name="/api/v1/assess/{id}")
        if random.random() < 0.25:
            self.client.post("/api/v1/assess/registration/report?format=html", json={"answers": answers},
                             name="/api/v1/assess/{id}/report")

    @task(1)
    def widget(self):
        self.client.get("/embed.js")
        self.client.get("/widget")

    @task(1)
    def feedback(self):
        self.client.post("/api/v1/feedback", name="/api/v1/feedback",
                         json={"question": f"{MARK} {random.choice(QUESTIONS)[:200]}",
                               "rating": random.choice(["up", "down"])})
