"""The bar charts' geometry: bars in proportion, segments side by side, the target at the track's end."""

from __future__ import annotations

from decimal import Decimal

from web.charts.bars import BAR_HEIGHT, ROW_HEIGHT, TRACK, count_bars, progress_bars, stacked_bars


def test_count_bars_scale_to_the_largest_count_and_draw_nothing_for_zero() -> None:
    chart = count_bars([("Not started", 1, "s-not_started", "1"), ("On track", 4, "s-on_track", "4"),
                        ("Cancelled", 0, "s-cancelled", "0")])
    widths = [[s.width for s in row.segments] for row in chart.rows]
    assert widths == [[TRACK / 4], [TRACK], []]
    assert [row.text for row in chart.rows] == ["1", "4", "0"]
    assert chart.height == 3 * ROW_HEIGHT
    first, second = chart.rows[0], chart.rows[1]
    assert second.bar_y - first.bar_y == ROW_HEIGHT and first.label_y < first.bar_y
    assert first.text_x == TRACK / 4 + 6  # the value is written just right of its bar
    assert chart.target_x is None and not chart.show_track


def test_nothing_to_count_draws_empty_rows_not_a_division_by_zero() -> None:
    chart = count_bars([("Completed", 0, "s-completed", "0")])
    assert chart.rows[0].segments == () and chart.rows[0].text_x == 6
    assert count_bars([]).height == ROW_HEIGHT  # an empty chart still has a drawable size


def test_stacked_segments_follow_each_other_and_rows_scale_to_the_largest_total() -> None:
    chart = stacked_bars([("Ministry of Interior", [(2, "t-on_time"), (0, "t-late"), (2, "t-missing")], "4"),
                          ("Committee", [(1, "t-on_time"), (1, "t-late")], "2")])
    moi, committee = chart.rows
    assert [(s.css, s.x, s.width) for s in moi.segments] == [("t-on_time", 0, TRACK / 2), ("t-missing", TRACK / 2,
                                                                                          TRACK / 2)]
    assert [(s.css, s.x, s.width) for s in committee.segments] == [("t-on_time", 0, TRACK / 4),
                                                                  ("t-late", TRACK / 4, TRACK / 4)]
    assert committee.text_x == TRACK / 2 + 6


def test_progress_bars_run_to_the_target_at_the_tracks_end_and_are_clamped() -> None:
    chart = progress_bars([("Half way", Decimal("0.5"), "p-in_progress", "50%"),
                           ("Beyond", Decimal("1.7"), "p-achieved", "100%"),
                           ("Worse", Decimal("-0.2"), "p-regressed", "0%"),
                           ("No data", None, "p-no_data", "No data yet")])
    assert [[s.width for s in row.segments] for row in chart.rows] == [[TRACK / 2], [TRACK], [0.0], []]
    assert chart.target_x == TRACK and chart.show_track and chart.track == TRACK
    assert {row.text_x for row in chart.rows} == {TRACK + 6}  # values line up right of the target
    assert all(row.bar_height == BAR_HEIGHT for row in chart.rows)
