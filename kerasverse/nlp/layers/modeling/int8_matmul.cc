// Matrix products of float32 activations with int8 weights, for XLA CPU.
//
// Decoding a language model multiplies one activation row by every weight
// matrix per token: the cost is reading the weights. XLA CPU converts an
// int8 matrix to float32 before its matrix product (a separate pass that
// writes and reads 4 bytes per weight), so int8 weights gain little over
// float32. These kernels read each int8 weight once, widen it in registers
// and accumulate in float32.
//
//   kv_int8_matmul:            y[M, N] = x[M, K] @ w[K, N]
//   kv_int8_matmul_transposed: y[M, V] = x[M, K] @ e[V, K]^T  (tied embedding logits)
//
// The per-channel scale is applied by the caller. Work is split into column
// (or row) chunks taken from an atomic counter by the calling thread and by
// helpers scheduled on XLA's intra-op thread pool; the caller waits only
// for chunks a helper has already claimed, so a busy pool never stalls it.
//
// Built by `int8_kernels.py` with the machine's C++ compiler
// (-O3 -march=native) and registered with `jax.ffi`.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#include <immintrin.h>
#define KV_AVX512 1
#endif

#include "xla/ffi/api/ffi.h"

namespace ffi = xla::ffi;

namespace {

// Columns of w per chunk of kv_int8_matmul (a multiple of 16).
constexpr int64_t kColumnChunk = 128;
// Rows of e per chunk of kv_int8_matmul_transposed.
constexpr int64_t kRowChunk = 256;
// Below this many weights, one thread does the whole product.
constexpr int64_t kParallelMinWeights = 1 << 18;

// y[m, n0:n1] for all m: a tile of columns, kept in registers over all K rows.
void MatmulColumns(const float* x, const int8_t* w, float* y, int64_t M, int64_t K, int64_t N,
                   int64_t n0, int64_t n1) {
#ifdef KV_AVX512
  constexpr int kVectors = kColumnChunk / 16;
  const int64_t width = n1 - n0;
  if (width == kColumnChunk) {
    for (int64_t m = 0; m < M; ++m) {
      const float* xm = x + m * K;
      __m512 acc[kVectors];
      for (int v = 0; v < kVectors; ++v) acc[v] = _mm512_setzero_ps();
      const int8_t* row = w + n0;
      for (int64_t k = 0; k < K; ++k, row += N) {
        const __m512 xv = _mm512_set1_ps(xm[k]);
        for (int v = 0; v < kVectors; ++v) {
          const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 16 * v));
          acc[v] = _mm512_fmadd_ps(xv, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(bytes)), acc[v]);
        }
      }
      float* ym = y + m * N + n0;
      for (int v = 0; v < kVectors; ++v) _mm512_storeu_ps(ym + 16 * v, acc[v]);
    }
    return;
  }
  // A last, narrower chunk: one vector of 16 columns at a time, masked at the end.
  for (int64_t m = 0; m < M; ++m) {
    const float* xm = x + m * K;
    for (int64_t c = n0; c < n1; c += 16) {
      const int64_t count = std::min<int64_t>(16, n1 - c);
      const __mmask16 mask = static_cast<__mmask16>((1u << count) - 1u);
      __m512 acc = _mm512_setzero_ps();
      const int8_t* row = w + c;
      for (int64_t k = 0; k < K; ++k, row += N) {
        const __m128i bytes = _mm_maskz_loadu_epi8(mask, row);
        acc = _mm512_fmadd_ps(_mm512_set1_ps(xm[k]), _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(bytes)), acc);
      }
      _mm512_mask_storeu_ps(y + m * N + c, mask, acc);
    }
  }
#else
  for (int64_t m = 0; m < M; ++m) {
    float* ym = y + m * N;
    for (int64_t n = n0; n < n1; ++n) ym[n] = 0.0f;
    for (int64_t k = 0; k < K; ++k) {
      const float xk = x[m * K + k];
      const int8_t* row = w + k * N;
      for (int64_t n = n0; n < n1; ++n) ym[n] += xk * static_cast<float>(row[n]);
    }
  }
#endif
}

// y[m, v0:v1] for all m: dot products of x's rows with rows v0..v1 of e.
void MatmulTransposedRows(const float* x, const int8_t* e, float* y, int64_t M, int64_t K, int64_t V,
                          int64_t v0, int64_t v1) {
#ifdef KV_AVX512
  const int64_t full = K / 16 * 16;
  const __mmask16 tail_mask = static_cast<__mmask16>((1u << (K - full)) - 1u);
  for (int64_t m = 0; m < M; ++m) {
    const float* xm = x + m * K;
    int64_t v = v0;
    for (; v + 4 <= v1; v += 4) {
      const int8_t* r0 = e + v * K;
      const int8_t* r1 = r0 + K;
      const int8_t* r2 = r1 + K;
      const int8_t* r3 = r2 + K;
      __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
      __m512 a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
      int64_t k = 0;
      for (; k < full; k += 16) {
        const __m512 xv = _mm512_loadu_ps(xm + k);
#define KV_ROW(acc, r) \
  acc = _mm512_fmadd_ps(xv, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r + k)))), acc)
        KV_ROW(a0, r0); KV_ROW(a1, r1); KV_ROW(a2, r2); KV_ROW(a3, r3);
#undef KV_ROW
      }
      if (k < K) {
        const __m512 xv = _mm512_maskz_loadu_ps(tail_mask, xm + k);
#define KV_ROW(acc, r) \
  acc = _mm512_fmadd_ps(xv, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(tail_mask, r + k))), acc)
        KV_ROW(a0, r0); KV_ROW(a1, r1); KV_ROW(a2, r2); KV_ROW(a3, r3);
#undef KV_ROW
      }
      float* ym = y + m * V + v;
      ym[0] = _mm512_reduce_add_ps(a0);
      ym[1] = _mm512_reduce_add_ps(a1);
      ym[2] = _mm512_reduce_add_ps(a2);
      ym[3] = _mm512_reduce_add_ps(a3);
    }
    for (; v < v1; ++v) {
      const int8_t* r = e + v * K;
      __m512 acc = _mm512_setzero_ps();
      int64_t k = 0;
      for (; k < full; k += 16) {
        acc = _mm512_fmadd_ps(_mm512_loadu_ps(xm + k),
                              _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r + k)))),
                              acc);
      }
      if (k < K) {
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail_mask, xm + k),
                              _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(tail_mask, r + k))), acc);
      }
      y[m * V + v] = _mm512_reduce_add_ps(acc);
    }
  }
#else
  for (int64_t m = 0; m < M; ++m) {
    for (int64_t v = v0; v < v1; ++v) {
      const int8_t* r = e + v * K;
      float sum = 0.0f;
      for (int64_t k = 0; k < K; ++k) sum += x[m * K + k] * static_cast<float>(r[k]);
      y[m * V + v] = sum;
    }
  }
#endif
}

// Runs work(chunk) for chunk in [0, chunks) on the calling thread and on up to
// threads - 1 helpers from XLA's pool. Returns once every chunk is done.
template <typename Work>
void ParallelChunks(ffi::ThreadPool& pool, int64_t chunks, bool parallel, Work work) {
  struct State {
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> done{0};
  };
  const int64_t helpers = parallel ? std::min<int64_t>(pool.num_threads(), chunks) - 1 : 0;
  if (helpers <= 0) {
    for (int64_t c = 0; c < chunks; ++c) work(c);
    return;
  }
  // Shared with the helpers, which may start after this call has returned
  // (they then find no chunk left and touch nothing else).
  auto state = std::make_shared<State>();
  for (int64_t h = 0; h < helpers; ++h) {
    pool.Schedule([state, chunks, work]() {
      for (int64_t c; (c = state->next.fetch_add(1)) < chunks;) {
        work(c);
        state->done.fetch_add(1, std::memory_order_release);
      }
    });
  }
  for (int64_t c; (c = state->next.fetch_add(1)) < chunks;) {
    work(c);
    state->done.fetch_add(1, std::memory_order_release);
  }
  while (state->done.load(std::memory_order_acquire) < chunks) std::this_thread::yield();
}

std::string Shape(ffi::Span<const int64_t> dims) {
  std::string text = "(";
  for (size_t i = 0; i < dims.size(); ++i) text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + ")";
}

ffi::Error Int8Matmul(ffi::ThreadPool pool, ffi::Buffer<ffi::F32> x, ffi::Buffer<ffi::S8> w,
                      ffi::ResultBuffer<ffi::F32> y) {
  const auto xd = x.dimensions();
  const auto wd = w.dimensions();
  if (xd.size() != 2 || wd.size() != 2 || xd[1] != wd[0]) {
    return ffi::Error::InvalidArgument("kv_int8_matmul expects x (M, K) and w (K, N). Received: x " +
                                       Shape(xd) + ", w " + Shape(wd) + ".");
  }
  const int64_t M = xd[0], K = xd[1], N = wd[1];
  const float* xp = x.typed_data();
  const int8_t* wp = w.typed_data();
  float* yp = y->typed_data();
  const int64_t chunks = (N + kColumnChunk - 1) / kColumnChunk;
  ParallelChunks(pool, chunks, K * N >= kParallelMinWeights, [=](int64_t c) {
    MatmulColumns(xp, wp, yp, M, K, N, c * kColumnChunk, std::min(N, (c + 1) * kColumnChunk));
  });
  return ffi::Error::Success();
}

ffi::Error Int8MatmulTransposed(ffi::ThreadPool pool, ffi::Buffer<ffi::F32> x, ffi::Buffer<ffi::S8> e,
                                ffi::ResultBuffer<ffi::F32> y) {
  const auto xd = x.dimensions();
  const auto ed = e.dimensions();
  if (xd.size() != 2 || ed.size() != 2 || xd[1] != ed[1]) {
    return ffi::Error::InvalidArgument("kv_int8_matmul_transposed expects x (M, K) and e (V, K). Received: x " +
                                       Shape(xd) + ", e " + Shape(ed) + ".");
  }
  const int64_t M = xd[0], K = xd[1], V = ed[0];
  const float* xp = x.typed_data();
  const int8_t* ep = e.typed_data();
  float* yp = y->typed_data();
  const int64_t chunks = (V + kRowChunk - 1) / kRowChunk;
  ParallelChunks(pool, chunks, K * V >= kParallelMinWeights, [=](int64_t c) {
    MatmulTransposedRows(xp, ep, yp, M, K, V, c * kRowChunk, std::min(V, (c + 1) * kRowChunk));
  });
  return ffi::Error::Success();
}

}  // namespace

namespace {

// Both kernels: (XLA's thread pool, float32 x, int8 weights) -> float32.
auto Binding() {
  return ffi::Ffi::Bind().Ctx<ffi::ThreadPool>().Arg<ffi::Buffer<ffi::F32>>().Arg<ffi::Buffer<ffi::S8>>().Ret<ffi::Buffer<ffi::F32>>();
}

}  // namespace

XLA_FFI_DEFINE_HANDLER_SYMBOL(KvInt8Matmul, Int8Matmul, Binding());
XLA_FFI_DEFINE_HANDLER_SYMBOL(KvInt8MatmulTransposed, Int8MatmulTransposed, Binding());
