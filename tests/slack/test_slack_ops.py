"""Operations: /healthz reports the database, the vector store and the model (503 when one
fails); /metrics counts questions, declines, errors, duplicate deliveries, answer latency
and the queue, in Prometheus's text format."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from bot.db.migrate import head_revision
from tests.slack.slack_harness import CITED, UNANSWERABLE, FailingEngine, Harness, MakeHarness


def _metrics(slack: Harness) -> dict[str, float]:
    reply = slack.get("/metrics")
    assert reply.status == 200
    return {
        sample.name
        + "".join(f"{{{k}={v}}}" for k, v in sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(reply.body)
        for sample in family.samples
    }


def test_health_reports_database_store_and_model(slack: Harness) -> None:
    reply = slack.get("/healthz")
    report = reply.json()
    assert (reply.status, report["ok"]) == (200, True)
    assert report["database"]["backend"] == "sqlite"
    assert report["database"]["revision"] == head_revision()
    assert report["store"]["ok"]
    assert report["store"]["chunks"] > 0
    assert report["model"]["ok"]
    assert report["model"]["dim"] > 0
    assert report["queue"] == {"waiting": 0, "workers": 2}


def test_health_is_503_naming_the_database_when_it_cannot_be_reached(slack: Harness) -> None:
    slack.store.engine = create_engine("sqlite:////proc/no-such-dir/store.sqlite")
    reply = slack.get("/healthz")
    report = reply.json()
    assert (reply.status, report["ok"]) == (503, False)
    assert report["database"] == {"ok": False, "error": "OperationalError"}
    assert report["model"]["ok"] is True


def test_metrics_count_questions_declines_and_answer_latency(slack: Harness) -> None:
    before = _metrics(slack)
    slack.wait_answer("C1", slack.mention(CITED))
    slack.wait_answer("C1", slack.mention(UNANSWERABLE))
    after = _metrics(slack)
    assert after["chipbot_questions_total"] - before["chipbot_questions_total"] == 2
    assert after["chipbot_declines_total"] - before["chipbot_declines_total"] == 1
    answered = after["chipbot_answer_seconds_count"] - before["chipbot_answer_seconds_count"]
    assert answered == 2
    assert after["chipbot_queue_depth"] == 0


def test_metrics_count_a_retried_delivery_as_a_duplicate(slack: Harness) -> None:
    before = _metrics(slack)["chipbot_duplicate_deliveries_total"]
    event = slack.mention_event(CITED)
    assert slack.event(event, event_id="EvTWICE").status == 200
    assert slack.event(event, event_id="EvTWICE", retry_num=1).status == 200
    slack.wait_answer("C1", str(event["ts"]))
    assert _metrics(slack)["chipbot_duplicate_deliveries_total"] - before == 1


def test_metrics_count_a_failed_answer_as_an_error(make_harness: MakeHarness) -> None:
    slack = make_harness(engine_override=FailingEngine())
    key = "chipbot_errors_total{component=answering}"
    before = _metrics(slack).get(key, 0.0)
    ts = slack.mention(CITED)
    slack.wait_thread_text("C1", ts, "Sorry")
    assert _metrics(slack)[key] - before == 1
