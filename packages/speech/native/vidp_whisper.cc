// VidP's Node-API binding of whisper.cpp: what langscale and subtitle need and the prebuilt
// binding lacks. `detect` is Whisper's language identification (one encoder pass, one decoder
// step) returning the model's probability for every language and the no-speech probability, and
// optionally a short greedy transcript decoded from the same encoder pass. `transcribe` is
// whisper_full with greedy or beam search. Calls are synchronous: the caller runs them in a
// child process (the service's event loop stays free; a cancelled job ends that process).
#include <node_api.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "whisper.h"

namespace {

constexpr int kApiVersion = 2;

struct Model {
  whisper_context *ctx = nullptr;
  whisper_state *state = nullptr;
  // More decoding states, one per extra lane of the *Many calls (made when first needed).
  std::vector<whisper_state *> lanes;
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
  for (whisper_state *st : m->lanes) whisper_free_state(st);
  m->lanes.clear();
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

// The state each lane decodes with: lane 0 the model's own, the others made when first needed.
whisper_state *lane_state(Model *m, int lane) {
  if (lane == 0) return m->state;
  while ((int)m->lanes.size() < lane) {
    whisper_state *st = whisper_init_state(m->ctx);
    if (!st) return nullptr;
    m->lanes.push_back(st);
  }
  return m->lanes[lane - 1];
}

// The threads of a *Many call, shared among the lanes still working: when one runs out of pieces,
// the others take its share from their next graph computation (whisper-live-threads.patch), so
// the last long piece does not finish on one core while the other idles. A greedy decoder step
// (one token) keeps the lane's own share: its small operations meet at a barrier each, and on
// two threads it cost more CPU for no shorter wall time; a beam's step (five tokens) gained
// (engine probe, OMP_WAIT_POLICY=passive as in the host: LibriVox at beam 5, 2.26-2.38 -> 1.89-2.06 s).
struct LaneShare {
  int threads;
  int lanes;
  bool share;
  std::atomic<int> working;
};

int lane_threads(void *user, int n_decoding) {
  auto *s = static_cast<LaneShare *>(user);
  const int sharing = s->share && n_decoding != 1 ? s->working.load() : s->lanes;
  return std::max(1, s->threads / std::max(1, sharing));
}

// Runs job(i, state) for i in [0, n) on `lanes` threads (the caller's thread is lane 0), each
// lane with its own decoding state and taking the next job when done: several pieces of audio
// at once, each on its share of `threads`, instead of one piece on all threads meeting at a
// barrier after every operation (costly on a busy machine).
template <typename Job>
std::string run_lanes(Model *m, int n, int lanes, int threads, bool share, Job job) {
  if (lanes > n) lanes = n;
  if (lanes < 1) lanes = 1;
  std::vector<whisper_state *> states;
  for (int l = 0; l < lanes; l++) {
    whisper_state *st = lane_state(m, l);
    if (!st) return "could not allocate a Whisper decoding state";
    states.push_back(st);
  }
  LaneShare threads_of{threads, lanes, share, {lanes}};
  std::atomic<int> next{0};
  std::vector<std::string> errors(lanes);
  auto lane = [&](int l) {
    whisper_set_n_threads_callback(lane_threads, &threads_of);
    for (int i = next++; i < n; i = next++) {
      errors[l] = job(i, states[l]);
      if (!errors[l].empty()) {
        next = n;
        break;
      }
    }
    threads_of.working--;
    // The callback is per thread, and lane 0 is Node's own thread: it must not outlive this call.
    whisper_set_n_threads_callback(nullptr, nullptr);
  };
  std::vector<std::thread> workers;
  for (int l = 1; l < lanes; l++) workers.emplace_back(lane, l);
  lane(0);
  for (auto &t : workers) t.join();
  for (const auto &e : errors)
    if (!e.empty()) return e;
  return "";
}

struct Pcm {
  const float *data = nullptr;
  size_t n = 0;
};

// An array of Float32Arrays (their memory stays put: the calls below are synchronous).
bool get_pcm_list(napi_env env, napi_value v, std::vector<Pcm> &out) {
  bool is_array = false;
  if (napi_is_array(env, v, &is_array) != napi_ok || !is_array) return false;
  uint32_t len = 0;
  napi_get_array_length(env, v, &len);
  for (uint32_t i = 0; i < len; i++) {
    napi_value e;
    if (napi_get_element(env, v, i, &e) != napi_ok) return false;
    Pcm p;
    if (!get_pcm(env, e, p.data, p.n)) return false;
    out.push_back(p);
  }
  return true;
}

// Per-item encoder sizes (`audioCtx` as a number for all, or an array with one per item).
bool get_audio_ctx(napi_env env, napi_value o, size_t n, int max, std::vector<int> &out) {
  out.assign(n, 0);
  napi_value v = o ? prop(env, o, "audioCtx") : nullptr;
  if (!v) return true;
  bool is_array = false;
  napi_is_array(env, v, &is_array);
  for (size_t i = 0; i < n; i++) {
    napi_value e = v;
    if (is_array && napi_get_element(env, v, (uint32_t)i, &e) != napi_ok) return false;
    int32_t x = 0;
    if (napi_get_value_int32(env, e, &x) != napi_ok || x < 0 || x > max) return false;
    out[i] = x;
  }
  return true;
}

struct Detection {
  std::vector<float> probs;
  double no_speech = 0;
  std::string text;
  int decoded = 0;
};

// Whisper's language identification on one piece of audio: the language softmax is taken over the
// language tokens at the step after <|startoftranscript|>, and the no-speech probability over the
// whole vocabulary at that step (as OpenAI's decoder does). With text_tokens > 0 the same encoder
// output is decoded greedily (no timestamps) into up to that many tokens of text in the detected
// language.
std::string detect_one(Model *m, whisper_state *st, const Pcm &pcm, int threads, int text_tokens, int audio_ctx,
                       Detection &out) {
  whisper_context *ctx = m->ctx;
  if (pcm.n < 1600) return "detect: at least 0.1 s of audio is needed";
  if (whisper_pcm_to_mel_with_state(ctx, st, pcm.data, (int)pcm.n, threads) != 0) return "detect: mel failed";
  set_audio_ctx(ctx, st, audio_ctx);
  if (whisper_encode_with_state(ctx, st, 0, threads) != 0) return "detect: encoder failed";
  const whisper_token sot = whisper_token_sot(ctx);
  if (whisper_decode_with_state(ctx, st, &sot, 1, 0, threads) != 0) return "detect: decoder failed";
  const int n_vocab = whisper_n_vocab(ctx);
  const float *logits = whisper_get_logits_from_state(st);

  out.probs.assign(m->n_langs, 0.0f);
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
      out.probs[i] = (float)(std::exp((double)logits[whisper_token_lang(ctx, i)] - max) / sum);
  }
  {
    float max = -INFINITY;
    for (int i = 0; i < n_vocab; i++) max = logits[i] > max ? logits[i] : max;
    double sum = 0;
    for (int i = 0; i < n_vocab; i++) sum += std::exp((double)logits[i] - max);
    out.no_speech = std::exp((double)logits[whisper_token_nosp(ctx)] - max) / sum;
  }

  out.text.clear();
  out.decoded = 0;
  if (text_tokens > 0) {
    const whisper_token eot = whisper_token_eot(ctx);
    whisper_token blank[4];
    const int n_blank = whisper_tokenize(ctx, " ", blank, 4);
    std::vector<whisper_token> prompt = {whisper_token_lang(ctx, top), whisper_token_transcribe(ctx),
                                         whisper_token_not(ctx)};
    if (!whisper_is_multilingual(ctx)) prompt = {whisper_token_not(ctx)};
    int n_past = 1;
    if (whisper_decode_with_state(ctx, st, prompt.data(), (int)prompt.size(), n_past, threads) != 0)
      return "detect: decoder failed";
    n_past += (int)prompt.size();
    int row = (int)prompt.size() - 1;
    const int n_text_ctx = whisper_n_text_ctx(ctx);
    for (; out.decoded < text_tokens && n_past < n_text_ctx - 1; out.decoded++) {
      const float *l = whisper_get_logits_from_state(st) + (size_t)row * n_vocab;
      // Text tokens and <|endoftext|> only; no blank or end as the first token (OpenAI's suppress_blank).
      whisper_token best = eot;
      float best_l = -INFINITY;
      for (whisper_token t = 0; t <= eot; t++) {
        if (out.decoded == 0) {
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
      out.text += whisper_token_to_str(ctx, best);
      if (whisper_decode_with_state(ctx, st, &best, 1, n_past, threads) != 0) return "detect: decoder failed";
      n_past++;
      row = 0;
    }
  }
  return "";
}

napi_value detection_value(napi_env env, const Detection &d) {
  napi_value out, arr, ab;
  void *ab_data = nullptr;
  napi_create_object(env, &out);
  napi_create_arraybuffer(env, d.probs.size() * sizeof(float), &ab_data, &ab);
  memcpy(ab_data, d.probs.data(), d.probs.size() * sizeof(float));
  napi_create_typedarray(env, napi_float32_array, d.probs.size(), ab, 0, &arr);
  napi_set_named_property(env, out, "probs", arr);
  set_num(env, out, "noSpeech", d.no_speech);
  set_str(env, out, "text", d.text.c_str());
  set_num(env, out, "textTokens", d.decoded);
  return out;
}

// detect(model, pcm, { threads, textTokens, audioCtx }) -> { probs: Float32Array, noSpeech, text }
napi_value Detect(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Model *m = argc ? get_model(env, argv[0]) : nullptr;
  if (!m) return throw_error(env, "detect(model, pcm): not an open model");
  Pcm pcm;
  if (argc < 2 || !get_pcm(env, argv[1], pcm.data, pcm.n)) return throw_error(env, "detect: pcm must be a Float32Array");
  napi_value o = argc > 2 ? argv[2] : nullptr;
  const int threads = o ? opt_int(env, o, "threads", 2) : 2;
  const int text_tokens = o ? opt_int(env, o, "textTokens", 0) : 0;
  std::vector<int> audio_ctx;
  if (!get_audio_ctx(env, o, 1, whisper_n_audio_ctx(m->ctx), audio_ctx))
    return throw_error(env, "detect: audioCtx out of range");
  Detection d;
  const std::string err = detect_one(m, m->state, pcm, threads, text_tokens, audio_ctx[0], d);
  if (!err.empty()) return throw_error(env, err);
  return detection_value(env, d);
}

// detectMany(model, [pcm...], { threads, lanes, textTokens, audioCtx, shareThreads }) -> [detection...]:
// the pieces on `lanes` threads at once (each lane on threads / lanes threads, and with shareThreads,
// the default, on the threads of lanes that have finished too).
napi_value DetectMany(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Model *m = argc ? get_model(env, argv[0]) : nullptr;
  if (!m) return throw_error(env, "detectMany(model, pcms): not an open model");
  std::vector<Pcm> pcms;
  if (argc < 2 || !get_pcm_list(env, argv[1], pcms))
    return throw_error(env, "detectMany: pcms must be an array of Float32Arrays");
  napi_value o = argc > 2 ? argv[2] : nullptr;
  const int threads = o ? opt_int(env, o, "threads", 2) : 2;
  const int lanes = o ? opt_int(env, o, "lanes", 1) : 1;
  const int text_tokens = o ? opt_int(env, o, "textTokens", 0) : 0;
  if (lanes < 1 || lanes > 64) return throw_error(env, "detectMany: lanes must be 1 to 64");
  std::vector<int> audio_ctx;
  if (!get_audio_ctx(env, o, pcms.size(), whisper_n_audio_ctx(m->ctx), audio_ctx))
    return throw_error(env, "detectMany: audioCtx out of range");
  const int used = std::min<int>(lanes, (int)pcms.size());
  const int per_lane = std::max(1, threads / std::max(1, used));
  const bool share = o ? opt_bool(env, o, "shareThreads", true) : true;
  std::vector<Detection> found(pcms.size());
  const std::string err = run_lanes(m, (int)pcms.size(), used, threads, share, [&](int i, whisper_state *st) {
    return detect_one(m, st, pcms[i], per_lane, text_tokens, audio_ctx[i], found[i]);
  });
  if (!err.empty()) return throw_error(env, err);
  napi_value out;
  CHECK(env, napi_create_array_with_length(env, found.size(), &out));
  for (size_t i = 0; i < found.size(); i++) napi_set_element(env, out, (uint32_t)i, detection_value(env, found[i]));
  return out;
}

struct Segment {
  int64_t t0, t1;
  std::string text;
  float no_speech;
};

struct Transcript {
  std::string language;
  std::vector<Segment> segments;
};

// options: threads, language ('auto' or a code), translate, beamSize (0 or 1: greedy), bestOf,
// tokenTimestamps, maxLen, splitOnWord, suppressBlank, suppressNst, temperatureInc, noSpeechThold.
// `language` must outlive the parameters.
whisper_full_params transcribe_params(napi_env env, napi_value o, std::string &language) {
  const int beam = opt_int(env, o, "beamSize", 0);
  whisper_full_params p =
      whisper_full_default_params(beam > 1 ? WHISPER_SAMPLING_BEAM_SEARCH : WHISPER_SAMPLING_GREEDY);
  if (beam > 1) p.beam_search.beam_size = beam;
  p.greedy.best_of = opt_int(env, o, "bestOf", p.greedy.best_of);
  p.n_threads = opt_int(env, o, "threads", 2);
  language = "auto";
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
  return p;
}

std::string transcribe_one(Model *m, whisper_state *st, whisper_full_params p, const Pcm &pcm, Transcript &out) {
  if (whisper_full_with_state(m->ctx, st, p, pcm.data, (int)pcm.n) != 0) return "transcribe: whisper_full failed";
  const int lang_id = whisper_full_lang_id_from_state(st);
  out.language = lang_id >= 0 ? whisper_lang_str(lang_id) : p.language;
  const int n_seg = whisper_full_n_segments_from_state(st);
  out.segments.clear();
  for (int i = 0; i < n_seg; i++) {
    out.segments.push_back({whisper_full_get_segment_t0_from_state(st, i), whisper_full_get_segment_t1_from_state(st, i),
                            whisper_full_get_segment_text_from_state(st, i),
                            whisper_full_get_segment_no_speech_prob_from_state(st, i)});
  }
  return "";
}

napi_value transcript_value(napi_env env, const Transcript &t) {
  napi_value out, segs;
  napi_create_object(env, &out);
  set_str(env, out, "language", t.language.c_str());
  napi_create_array_with_length(env, t.segments.size(), &segs);
  for (size_t i = 0; i < t.segments.size(); i++) {
    napi_value s;
    napi_create_object(env, &s);
    set_num(env, s, "t0", (double)t.segments[i].t0);
    set_num(env, s, "t1", (double)t.segments[i].t1);
    set_str(env, s, "text", t.segments[i].text.c_str());
    set_num(env, s, "noSpeech", t.segments[i].no_speech);
    napi_set_element(env, segs, (uint32_t)i, s);
  }
  napi_set_named_property(env, out, "segments", segs);
  return out;
}

// transcribe(model, pcm, options) -> { language, segments: [{ t0, t1, text, noSpeech }] }
// t0/t1 in centiseconds; options as transcribe_params, plus audioCtx.
napi_value Transcribe(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Model *m = argc ? get_model(env, argv[0]) : nullptr;
  if (!m) return throw_error(env, "transcribe(model, pcm): not an open model");
  Pcm pcm;
  if (argc < 2 || !get_pcm(env, argv[1], pcm.data, pcm.n)) return throw_error(env, "transcribe: pcm must be a Float32Array");
  napi_value o = argc > 2 ? argv[2] : nullptr;
  napi_valuetype t = napi_undefined;
  if (o) napi_typeof(env, o, &t);
  if (t != napi_object) return throw_error(env, "transcribe: options must be an object");
  std::string language;
  whisper_full_params p = transcribe_params(env, o, language);
  std::vector<int> audio_ctx;
  if (!get_audio_ctx(env, o, 1, whisper_n_audio_ctx(m->ctx), audio_ctx))
    return throw_error(env, "transcribe: audioCtx out of range");
  p.audio_ctx = audio_ctx[0];
  Transcript out;
  const std::string err = transcribe_one(m, m->state, p, pcm, out);
  if (!err.empty()) return throw_error(env, err);
  return transcript_value(env, out);
}

// transcribeMany(model, [pcm...], options + { lanes, audioCtx: [one per pcm], shareThreads })
// -> [transcript...]: the pieces on `lanes` threads at once (each lane on threads / lanes threads,
// and with shareThreads, the default, on the threads of lanes that have finished too).
napi_value TranscribeMany(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Model *m = argc ? get_model(env, argv[0]) : nullptr;
  if (!m) return throw_error(env, "transcribeMany(model, pcms): not an open model");
  std::vector<Pcm> pcms;
  if (argc < 2 || !get_pcm_list(env, argv[1], pcms))
    return throw_error(env, "transcribeMany: pcms must be an array of Float32Arrays");
  napi_value o = argc > 2 ? argv[2] : nullptr;
  napi_valuetype t = napi_undefined;
  if (o) napi_typeof(env, o, &t);
  if (t != napi_object) return throw_error(env, "transcribeMany: options must be an object");
  std::string language;
  const whisper_full_params p = transcribe_params(env, o, language);
  const int lanes = opt_int(env, o, "lanes", 1);
  if (lanes < 1 || lanes > 64) return throw_error(env, "transcribeMany: lanes must be 1 to 64");
  std::vector<int> audio_ctx;
  if (!get_audio_ctx(env, o, pcms.size(), whisper_n_audio_ctx(m->ctx), audio_ctx))
    return throw_error(env, "transcribeMany: audioCtx out of range");
  const int used = std::min<int>(lanes, (int)pcms.size());
  const bool share = opt_bool(env, o, "shareThreads", true);
  std::vector<Transcript> found(pcms.size());
  const std::string err = run_lanes(m, (int)pcms.size(), used, p.n_threads, share, [&](int i, whisper_state *st) {
    whisper_full_params q = p;
    q.n_threads = std::max(1, p.n_threads / std::max(1, used));
    q.audio_ctx = audio_ctx[i];
    return transcribe_one(m, st, q, pcms[i], found[i]);
  });
  if (!err.empty()) return throw_error(env, err);
  napi_value out;
  CHECK(env, napi_create_array_with_length(env, found.size(), &out));
  for (size_t i = 0; i < found.size(); i++) napi_set_element(env, out, (uint32_t)i, transcript_value(env, found[i]));
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
      {"detectMany", nullptr, DetectMany, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transcribeMany", nullptr, TranscribeMany, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  napi_value v;
  napi_create_int32(env, kApiVersion, &v);
  napi_set_named_property(env, exports, "apiVersion", v);
  return exports;
}

}  // namespace

NAPI_MODULE(vidp_whisper, Init)
