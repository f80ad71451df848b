"""Every file store keeps the :class:`archive.files.FileStore` promises: content keys, write once,
keys that cannot leave the store, leftovers of interrupted writes seen, streamed reads.

The class runs against each store in ``tests/support/file_stores.py`` (the ``file_store``
fixture); the folder store's own promises (symlinks, read-only files) follow it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.files import CHUNK, BadKey, FileMissing, WriteOnceViolation, content_key
from archive.folder_store import FolderStore
from tests.support.file_stores import StoreUnderTest

BAD_KEYS = ["../x", "/etc/passwd", "a//b", "", ".hidden", "a/../../x", "a/./b", "x/", "a\\b", "ä"]
OLD_KEY = "CP/2026/CP-2026-000001.r1.archival.pdf"


class TestFileStoreContract:
    def test_put_then_get_round_trips_under_the_content_key(self, file_store: StoreUnderTest) -> None:
        store = file_store.store
        stored = store.put(b"%PDF-1.7 one")
        digest = hashlib.sha256(b"%PDF-1.7 one").hexdigest()
        assert (stored.key, stored.sha256, stored.size) == (content_key(digest), digest, 12)
        assert store.get(stored.key) == b"%PDF-1.7 one"
        assert store.exists(stored.key)

    def test_the_same_bytes_twice_are_one_key_and_one_file(self, file_store: StoreUnderTest) -> None:
        store = file_store.store
        first, second = store.put(b"same"), store.put(b"same")
        assert first == second
        assert list(store.keys()) == [first.key]

    def test_put_at_writes_once(self, file_store: StoreUnderTest) -> None:
        store = file_store.store
        store.put_at(OLD_KEY, b"old layout")
        store.put_at(OLD_KEY, b"old layout")  # the same bytes again: nothing to do
        with pytest.raises(WriteOnceViolation, match="never rewritten"):
            store.put_at(OLD_KEY, b"other bytes")
        assert store.get(OLD_KEY) == b"old layout"

    def test_put_at_cannot_rewrite_a_content_key_either(self, file_store: StoreUnderTest) -> None:
        store = file_store.store
        stored = store.put(b"content")
        with pytest.raises(WriteOnceViolation):
            store.put_at(stored.key, b"tampered")
        assert store.get(stored.key) == b"content"

    def test_exists_and_delete_with_a_missing_key_fine(self, file_store: StoreUnderTest) -> None:
        store = file_store.store
        stored = store.put(b"to go")
        store.delete(stored.key)
        assert not store.exists(stored.key)
        store.delete(stored.key)  # a retried disposal
        store.delete(OLD_KEY)  # never there
        with pytest.raises(FileMissing):
            store.get(stored.key)
        with pytest.raises(FileMissing):
            b"".join(store.chunks(OLD_KEY))
        assert store.is_empty()

    def test_keys_lists_exactly_what_was_put(self, file_store: StoreUnderTest) -> None:
        store = file_store.store
        assert store.is_empty() and list(store.keys()) == []
        put = {store.put(f"file {n}".encode()).key for n in range(5)}
        store.put_at(OLD_KEY, b"old")
        assert sorted(store.keys()) == sorted(put | {OLD_KEY})
        assert not store.is_empty()
        assert list(store.leftovers()) == []

    def test_leftovers_see_an_interrupted_write_and_keys_do_not(self, file_store: StoreUnderTest) -> None:
        store = file_store.store
        kept = store.put(b"complete")
        file_store.interrupt(content_key("ab" * 32), b"half written" * 100)
        [leftover] = list(store.leftovers())
        assert leftover and leftover != kept.key
        assert list(store.keys()) == [kept.key]

    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_a_bad_key_is_refused_everywhere(self, file_store: StoreUnderTest, key: str) -> None:
        store = file_store.store
        for call in (lambda: store.put_at(key, b"x"), lambda: store.get(key), lambda: store.exists(key),
                     lambda: store.delete(key), lambda: list(store.chunks(key))):
            with pytest.raises(BadKey):
                call()
        assert store.is_empty()

    def test_chunks_reassemble_a_file_larger_than_a_chunk(self, file_store: StoreUnderTest) -> None:
        store = file_store.store
        data = os.urandom(CHUNK * 2 + 12345)
        stored = store.put(data)
        blocks = list(store.chunks(stored.key))
        assert len(blocks) >= 3 and all(len(block) <= CHUNK for block in blocks)
        assert b"".join(blocks) == data

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.binary(max_size=4096))
    def test_any_bytes_round_trip(self, file_store: StoreUnderTest, data: bytes) -> None:
        store = file_store.store
        stored = store.put(data)
        assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)
        assert store.get(stored.key) == data == b"".join(store.chunks(stored.key))
        assert store.put(data) == stored and store.exists(stored.key)

    def test_describe_says_where(self, file_store: StoreUnderTest) -> None:
        assert file_store.store.describe()
        assert file_store.store.name == file_store.kind.name


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.pdf").write_bytes(b"not the archive's")
    store = FolderStore(tmp_path / "store")
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "CP").symlink_to(outside)
    for call in (lambda: store.get("CP/secret.pdf"), lambda: store.exists("CP/secret.pdf"),
                 lambda: store.delete("CP/secret.pdf"), lambda: store.put_at("CP/new.pdf", b"x")):
        with pytest.raises(BadKey, match="leaves"):
            call()
    assert (outside / "secret.pdf").exists() and not (outside / "new.pdf").exists()


def test_the_folder_may_itself_be_a_symlink(tmp_path: Path) -> None:
    """An instance whose renditions folder is a link to another volume works as before."""
    (tmp_path / "volume").mkdir()
    (tmp_path / "renditions").symlink_to(tmp_path / "volume")
    store = FolderStore(tmp_path / "renditions")
    stored = store.put(b"on the volume")
    assert (tmp_path / "volume" / stored.key).read_bytes() == b"on the volume"
    assert list(store.keys()) == [stored.key]


def test_a_stored_file_is_read_only_and_no_temporary_stays(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "store")
    stored = store.put(b"archival")
    store.put_at(OLD_KEY, b"old")
    for key in (stored.key, OLD_KEY):
        assert (tmp_path / "store" / key).stat().st_mode & 0o777 == 0o444
    assert list(store.leftovers()) == []
    assert sorted(p.name for p in (tmp_path / "store").rglob(".*")) == []


def test_a_store_that_does_not_exist_yet_is_empty(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "not-yet")
    assert store.is_empty() and list(store.keys()) == [] and not store.exists(OLD_KEY)
    assert store.describe() == str(tmp_path / "not-yet")
