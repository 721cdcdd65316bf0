// VidP's Node-API binding of whisper.cpp: what langscale and subtitle need and the prebuilt
// binding lacks. `detect` is Whisper's language identification (one encoder pass, one decoder
// step) returning the model's probability for every language and the no-speech probability, and
// optionally a short greedy transcript decoded from the same encoder pass. `transcribe` is
// whisper_full with greedy or beam search. Calls are synchronous: the caller runs them in a
// child process (the service's event loop stays free; a cancelled job ends that process).
#include <node_api.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "whisper.h"

namespace {

constexpr int kApiVersion = 1;

struct Model {
  whisper_context *ctx = nullptr;
  whisper_state *state = nullptr;
  int n_langs = 0;
};

#define CHECK(env, call)                                                   \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error((env), nullptr, "vidp_whisper: N-API call failed"); \
      return nullptr;                                                      \
    }                                                                      \
  } while (0)

napi_value throw_error(napi_env env, const std::string &msg) {
  napi_throw_error(env, nullptr, msg.c_str());
  return nullptr;
}

// Only warnings and errors reach stderr (the parent keeps its tail to explain a failure), less
// the one set_audio_ctx causes on purpose.
void quiet_log(ggml_log_level level, const char *text, void *) {
  if (level != GGML_LOG_LEVEL_WARN && level != GGML_LOG_LEVEL_ERROR) return;
  if (strstr(text, "encoder_begin_callback returned false")) return;
  fputs(text, stderr);
}

bool get_string(napi_env env, napi_value v, std::string &out) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) return false;
  out.resize(len);
  return napi_get_value_string_utf8(env, v, out.data(), len + 1, &len) == napi_ok;
}

napi_value prop(napi_env env, napi_value obj, const char *name) {
  bool has = false;
  napi_value v = nullptr;
  if (napi_has_named_property(env, obj, name, &has) != napi_ok || !has) return nullptr;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return nullptr;
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t == napi_undefined || t == napi_null ? nullptr : v;
}

int opt_int(napi_env env, napi_value obj, const char *name, int dflt) {
  napi_value v = prop(env, obj, name);
  int32_t out = dflt;
  if (v) napi_get_value_int32(env, v, &out);
  return out;
}

double opt_num(napi_env env, napi_value obj, const char *name, double dflt) {
  napi_value v = prop(env, obj, name);
  double out = dflt;
  if (v) napi_get_value_double(env, v, &out);
  return out;
}

bool opt_bool(napi_env env, napi_value obj, const char *name, bool dflt) {
  napi_value v = prop(env, obj, name);
  bool out = dflt;
  if (v) napi_get_value_bool(env, v, &out);
  return out;
}

Model *get_model(napi_env env, napi_value v) {
  void *data = nullptr;
  if (napi_get_value_external(env, v, &data) != napi_ok || !data) return nullptr;
  Model *m = static_cast<Model *>(data);
  return m->ctx ? m : nullptr;
}

bool get_pcm(napi_env env, napi_value v, const float *&data, size_t &n) {
  napi_typedarray_type type;
  void *ptr = nullptr;
  napi_value buf;
  size_t offset = 0;
  if (napi_get_typedarray_info(env, v, &type, &n, &ptr, &buf, &offset) != napi_ok) return false;
  if (type != napi_float32_array) return false;
  data = static_cast<const float *>(ptr);
  return true;
}

// whisper.cpp sizes the encoder to `audio_ctx` frames only through whisper_full: run it on the mel
// already in the state with a fixed language and stop it before its encoder, which leaves the size set.
bool abort_before_encoder(whisper_context *, whisper_state *, void *) { return false; }

void set_audio_ctx(whisper_context *ctx, whisper_state *st, int audio_ctx) {
  whisper_full_params p = whisper_full_default_params(WHISPER_SAMPLING_GREEDY);
  p.language = "en";
  p.audio_ctx = audio_ctx;
  p.print_progress = false;
  p.encoder_begin_callback = abort_before_encoder;
  whisper_full_with_state(ctx, st, p, nullptr, 0);
}

void free_model(Model *m) {
  if (m->state) whisper_free_state(m->state);
  if (m->ctx) whisper_free(m->ctx);
  m->state = nullptr;
  m->ctx = nullptr;
}

void finalize_model(napi_env, void *data, void *) {
  Model *m = static_cast<Model *>(data);
  free_model(m);
  delete m;
}

// open(path, { flashAttn }) -> model
napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  std::string path;
  if (argc < 1 || !get_string(env, argv[0], path)) return throw_error(env, "open(path): path must be a string");
  whisper_context_params cp = whisper_context_default_params();
  cp.use_gpu = false;
  if (argc > 1) cp.flash_attn = opt_bool(env, argv[1], "flashAttn", cp.flash_attn);
  Model *m = new Model();
  m->ctx = whisper_init_from_file_with_params_no_state(path.c_str(), cp);
  if (!m->ctx) {
    delete m;
    return throw_error(env, "could not load the Whisper model (not a whisper.cpp ggml file, or damaged)");
  }
  m->state = whisper_init_state(m->ctx);
  if (!m->state) {
    free_model(m);
    delete m;
    return throw_error(env, "could not allocate the Whisper decoding state");
  }
  // Languages this model knows: the vocabulary holds one token per language after <|startoftranscript|>.
  const int multilingual = whisper_is_multilingual(m->ctx);
  m->n_langs = multilingual ? whisper_model_n_vocab(m->ctx) - 51765 - 1 : 1;
  if (m->n_langs > whisper_lang_max_id() + 1) m->n_langs = whisper_lang_max_id() + 1;
  napi_value out;
  CHECK(env, napi_create_external(env, m, finalize_model, nullptr, &out));
  return out;
}

napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Model *m = argc ? get_model(env, argv[0]) : nullptr;
  if (m) free_model(m);
  return nullptr;
}

napi_value set_str(napi_env env, napi_value obj, const char *name, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s ? s : "", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, name, v);
  return v;
}

void set_num(napi_env env, napi_value obj, const char *name, double x) {
  napi_value v;
  napi_create_double(env, x, &v);
  napi_set_named_property(env, obj, name, v);
}

// info(model) -> { multilingual, languages, modelType, ftype, system, version }
napi_value Info(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Model *m = argc ? get_model(env, argv[0]) : nullptr;
  if (!m) return throw_error(env, "info(model): not an open model");
  napi_value out, langs, b;
  CHECK(env, napi_create_object(env, &out));
  CHECK(env, napi_get_boolean(env, whisper_is_multilingual(m->ctx) != 0, &b));
  napi_set_named_property(env, out, "multilingual", b);
  CHECK(env, napi_create_array_with_length(env, m->n_langs, &langs));
  for (int i = 0; i < m->n_langs; i++) {
    napi_value s;
    napi_create_string_utf8(env, whisper_lang_str(i), NAPI_AUTO_LENGTH, &s);
    napi_set_element(env, langs, i, s);
  }
  napi_set_named_property(env, out, "languages", langs);
  set_str(env, out, "modelType", whisper_model_type_readable(m->ctx));
  set_num(env, out, "ftype", whisper_model_ftype(m->ctx));
  set_str(env, out, "system", whisper_print_system_info());
  set_str(env, out, "version", whisper_version());
  set_num(env, out, "apiVersion", kApiVersion);
  return out;
}

// detect(model, pcm, { threads, textTokens }) -> { probs: Float32Array, noSpeech, text }
// The language softmax is taken over the language tokens at the step after
// <|startoftranscript|>, and the no-speech probability over the whole vocabulary at that step
// (as OpenAI's decoder does). With textTokens > 0 the same encoder output is decoded greedily
// (no timestamps) into up to that many tokens of text in the detected language.
napi_value Detect(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Model *m = argc ? get_model(env, argv[0]) : nullptr;
  if (!m) return throw_error(env, "detect(model, pcm): not an open model");
  const float *pcm = nullptr;
  size_t n = 0;
  if (argc < 2 || !get_pcm(env, argv[1], pcm, n)) return throw_error(env, "detect: pcm must be a Float32Array");
  const int threads = argc > 2 ? opt_int(env, argv[2], "threads", 2) : 2;
  const int text_tokens = argc > 2 ? opt_int(env, argv[2], "textTokens", 0) : 0;
  const int audio_ctx = argc > 2 ? opt_int(env, argv[2], "audioCtx", 0) : 0;
  if (n < 1600) return throw_error(env, "detect: at least 0.1 s of audio is needed");
  if (audio_ctx < 0 || audio_ctx > whisper_n_audio_ctx(m->ctx)) return throw_error(env, "detect: audioCtx out of range");

  whisper_context *ctx = m->ctx;
  whisper_state *st = m->state;
  if (whisper_pcm_to_mel_with_state(ctx, st, pcm, (int)n, threads) != 0) return throw_error(env, "detect: mel failed");
  set_audio_ctx(ctx, st, audio_ctx);
  if (whisper_encode_with_state(ctx, st, 0, threads) != 0) return throw_error(env, "detect: encoder failed");
  const whisper_token sot = whisper_token_sot(ctx);
  if (whisper_decode_with_state(ctx, st, &sot, 1, 0, threads) != 0) return throw_error(env, "detect: decoder failed");
  const int n_vocab = whisper_n_vocab(ctx);
  const float *logits = whisper_get_logits_from_state(st);

  std::vector<float> probs(m->n_langs, 0.0f);
  int top = 0;
  {
    float max = -INFINITY;
    for (int i = 0; i < m->n_langs; i++) {
      const float l = logits[whisper_token_lang(ctx, i)];
      if (l > max) {
        max = l;
        top = i;
      }
    }
    double sum = 0;
    for (int i = 0; i < m->n_langs; i++) sum += std::exp((double)logits[whisper_token_lang(ctx, i)] - max);
    for (int i = 0; i < m->n_langs; i++)
      probs[i] = (float)(std::exp((double)logits[whisper_token_lang(ctx, i)] - max) / sum);
  }
  double no_speech = 0;
  {
    float max = -INFINITY;
    for (int i = 0; i < n_vocab; i++) max = logits[i] > max ? logits[i] : max;
    double sum = 0;
    for (int i = 0; i < n_vocab; i++) sum += std::exp((double)logits[i] - max);
    no_speech = std::exp((double)logits[whisper_token_nosp(ctx)] - max) / sum;
  }

  std::string text;
  int decoded = 0;
  if (text_tokens > 0) {
    const whisper_token eot = whisper_token_eot(ctx);
    whisper_token blank[4];
    const int n_blank = whisper_tokenize(ctx, " ", blank, 4);
    std::vector<whisper_token> prompt = {whisper_token_lang(ctx, top), whisper_token_transcribe(ctx),
                                         whisper_token_not(ctx)};
    if (!whisper_is_multilingual(ctx)) prompt = {whisper_token_not(ctx)};
    int n_past = 1;
    if (whisper_decode_with_state(ctx, st, prompt.data(), (int)prompt.size(), n_past, threads) != 0)
      return throw_error(env, "detect: decoder failed");
    n_past += (int)prompt.size();
    int row = (int)prompt.size() - 1;
    const int n_text_ctx = whisper_n_text_ctx(ctx);
    for (; decoded < text_tokens && n_past < n_text_ctx - 1; decoded++) {
      const float *l = whisper_get_logits_from_state(st) + (size_t)row * n_vocab;
      // Text tokens and <|endoftext|> only; no blank or end as the first token (OpenAI's suppress_blank).
      whisper_token best = eot;
      float best_l = -INFINITY;
      for (whisper_token t = 0; t <= eot; t++) {
        if (decoded == 0) {
          if (t == eot) continue;
          bool is_blank = false;
          for (int b = 0; b < n_blank; b++) is_blank = is_blank || blank[b] == t;
          if (is_blank) continue;
        }
        if (l[t] > best_l) {
          best_l = l[t];
          best = t;
        }
      }
      if (best == eot) break;
      text += whisper_token_to_str(ctx, best);
      if (whisper_decode_with_state(ctx, st, &best, 1, n_past, threads) != 0)
        return throw_error(env, "detect: decoder failed");
      n_past++;
      row = 0;
    }
  }

  napi_value out, arr, ab;
  void *ab_data = nullptr;
  CHECK(env, napi_create_object(env, &out));
  CHECK(env, napi_create_arraybuffer(env, probs.size() * sizeof(float), &ab_data, &ab));
  memcpy(ab_data, probs.data(), probs.size() * sizeof(float));
  CHECK(env, napi_create_typedarray(env, napi_float32_array, probs.size(), ab, 0, &arr));
  napi_set_named_property(env, out, "probs", arr);
  set_num(env, out, "noSpeech", no_speech);
  set_str(env, out, "text", text.c_str());
  set_num(env, out, "textTokens", decoded);
  return out;
}

// transcribe(model, pcm, options) -> { language, segments: [{ t0, t1, text, noSpeech }] }
// t0/t1 in centiseconds. options: threads, language ('auto' or a code), translate, beamSize
// (0 or 1: greedy), bestOf, tokenTimestamps, maxLen, splitOnWord, suppressBlank, suppressNst,
// temperatureInc, noSpeechThold, audioCtx.
napi_value Transcribe(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Model *m = argc ? get_model(env, argv[0]) : nullptr;
  if (!m) return throw_error(env, "transcribe(model, pcm): not an open model");
  const float *pcm = nullptr;
  size_t n = 0;
  if (argc < 2 || !get_pcm(env, argv[1], pcm, n)) return throw_error(env, "transcribe: pcm must be a Float32Array");
  napi_value o = argc > 2 ? argv[2] : nullptr;
  napi_valuetype t = napi_undefined;
  if (o) napi_typeof(env, o, &t);
  if (t != napi_object) return throw_error(env, "transcribe: options must be an object");

  const int beam = opt_int(env, o, "beamSize", 0);
  whisper_full_params p =
      whisper_full_default_params(beam > 1 ? WHISPER_SAMPLING_BEAM_SEARCH : WHISPER_SAMPLING_GREEDY);
  if (beam > 1) p.beam_search.beam_size = beam;
  p.greedy.best_of = opt_int(env, o, "bestOf", p.greedy.best_of);
  p.n_threads = opt_int(env, o, "threads", 2);
  std::string language = "auto";
  if (napi_value v = prop(env, o, "language")) get_string(env, v, language);
  p.language = language.c_str();
  p.detect_language = false;
  p.translate = opt_bool(env, o, "translate", false);
  p.no_context = true;
  p.print_progress = false;
  p.print_realtime = false;
  p.print_timestamps = false;
  p.print_special = false;
  p.suppress_blank = opt_bool(env, o, "suppressBlank", true);
  p.suppress_nst = opt_bool(env, o, "suppressNst", true);
  p.token_timestamps = opt_bool(env, o, "tokenTimestamps", false);
  p.max_len = opt_int(env, o, "maxLen", 0);
  p.split_on_word = opt_bool(env, o, "splitOnWord", false);
  p.temperature_inc = (float)opt_num(env, o, "temperatureInc", p.temperature_inc);
  p.no_speech_thold = (float)opt_num(env, o, "noSpeechThold", p.no_speech_thold);
  p.audio_ctx = opt_int(env, o, "audioCtx", 0);

  if (whisper_full_with_state(m->ctx, m->state, p, pcm, (int)n) != 0)
    return throw_error(env, "transcribe: whisper_full failed");

  napi_value out, segs;
  CHECK(env, napi_create_object(env, &out));
  const int lang_id = whisper_full_lang_id_from_state(m->state);
  set_str(env, out, "language", lang_id >= 0 ? whisper_lang_str(lang_id) : language.c_str());
  const int n_seg = whisper_full_n_segments_from_state(m->state);
  CHECK(env, napi_create_array_with_length(env, n_seg, &segs));
  for (int i = 0; i < n_seg; i++) {
    napi_value s;
    napi_create_object(env, &s);
    set_num(env, s, "t0", (double)whisper_full_get_segment_t0_from_state(m->state, i));
    set_num(env, s, "t1", (double)whisper_full_get_segment_t1_from_state(m->state, i));
    set_str(env, s, "text", whisper_full_get_segment_text_from_state(m->state, i));
    set_num(env, s, "noSpeech", whisper_full_get_segment_no_speech_prob_from_state(m->state, i));
    napi_set_element(env, segs, i, s);
  }
  napi_set_named_property(env, out, "segments", segs);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  whisper_log_set(quiet_log, nullptr);
  napi_property_descriptor props[] = {
      {"open", nullptr, Open, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"close", nullptr, Close, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"detect", nullptr, Detect, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transcribe", nullptr, Transcribe, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  napi_value v;
  napi_create_int32(env, kApiVersion, &v);
  napi_set_named_property(env, exports, "apiVersion", v);
  return exports;
}

}  // namespace

NAPI_MODULE(vidp_whisper, Init)
