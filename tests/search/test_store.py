"""A thread's kept searcher, refreshed per search, sees exactly what the index holds now: a
corrected record's new revision and not its old one, after updates and after segment merges.

The scenarios live in tests/support/search_index.py: test_kept_postings runs them again with
every posting kept in memory."""

from __future__ import annotations

from pathlib import Path

from tests.support import search_index


def test_a_corrected_record_is_found_by_its_new_text_only(tmp_path: Path) -> None:
    search_index.a_corrected_record_is_found_by_its_new_text_only(tmp_path)


def test_a_kept_searcher_follows_merges(tmp_path: Path) -> None:
    search_index.a_kept_searcher_follows_merges(tmp_path)


def test_an_empty_index_answers_every_query_and_its_kept_searcher_follows_the_first_records(
        tmp_path: Path) -> None:
    search_index.an_empty_index_answers_every_query_and_its_kept_searcher_follows_the_first_records(tmp_path)
