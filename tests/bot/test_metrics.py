"""The Prometheus text format, written by hand: families, labels, histograms."""

from __future__ import annotations

from bot.metrics import Exposition, Histogram, Metrics


def test_a_histogram_is_cumulative_with_sum_and_count() -> None:
    histogram = Histogram(bounds=(0.1, 1.0, 3.0))
    for value in (0.05, 0.1, 0.5, 2.0, 9.0):
        histogram.observe(value)
    out = Exposition()
    out.family("ack_seconds", "histogram", "Click to ack.")
    out.histogram("ack_seconds", histogram)
    assert out.render().splitlines() == [
        "# HELP ack_seconds Click to ack.",
        "# TYPE ack_seconds histogram",
        'ack_seconds_bucket{le="0.1"} 2',  # an observation equal to a bound falls in it
        'ack_seconds_bucket{le="1"} 3',
        'ack_seconds_bucket{le="3"} 4',
        'ack_seconds_bucket{le="+Inf"} 5',
        "ack_seconds_sum 11.65",
        "ack_seconds_count 5",
    ]


def test_label_values_are_escaped() -> None:
    out = Exposition()
    out.sample("calls_total", 3, {"method": 'a"b\\c\nd'})
    assert out.render() == 'calls_total{method="a\\"b\\\\c\\nd"} 3\n'


def test_only_slack_requests_feed_the_ack_histogram() -> None:
    metrics = Metrics()
    metrics.observe_response("/slack/events", 200, 0.02, slack=True)
    metrics.observe_response("/api/v1/interactions", 503, 0.01, slack=False)
    metrics.observe_response("/api/v1/interactions", 503, 0.01, slack=False)
    assert metrics.answer_latency.count == 1
    assert metrics.responses == {("/slack/events", 200): 1, ("/api/v1/interactions", 503): 2}
