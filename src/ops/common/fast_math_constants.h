// Constants of the inline exp and GELU (fast_math_avx512.h, fast_math_avx2.h, and the
// portable check in tests): one place, so every ISA evaluates the same formula.
#pragma once

namespace hone::fast_math {

constexpr float kLog2e = 1.44269504088896341f;
// ln 2 split so that n * kLn2Hi is exact for |n| < 2^11 (Cody & Waite's range reduction).
constexpr float kLn2Hi = 0.693145751953125f;
constexpr float kLn2Lo = 1.42860682030941723212e-6f;
// Taylor terms of e^r for |r| <= ln2 / 2, highest first (r^7 / 7! down to 1): the dropped
// r^8 / 8! is under 2e-9 there.
constexpr int kExpTerms = 8;
constexpr float kExpC[kExpTerms] = {1.0f / 5040, 1.0f / 720, 1.0f / 120, 1.0f / 24,
                                    1.0f / 6,    0.5f,       1.0f,       1.0f};

// Inputs are clamped here: e^x is 0 below and inf above in float, and n stays in [-150, 128].
constexpr float kExpMinInput = -104.0f, kExpMaxInput = 89.0f;

constexpr float kSqrtHalf = 0.70710678118654752f;
// erfc(z) ~ t (a1 + a2 t + ... + a5 t^4) e^{-z^2}, t = 1 / (1 + p z), z >= 0 (Abramowitz &
// Stegun 7.1.26, |error| <= 1.5e-7). Past z = 9 (x = -12.7) GELU is x, or -0 for negative x:
// the true value, under 5e-36 there, is taken as its underflow.
constexpr float kErfcP = 0.3275911f;
constexpr int kErfcTerms = 5;
constexpr float kErfcA[kErfcTerms] = {0.254829592f, -0.284496736f, 1.421413741f, -1.453152027f,
                                      1.061405429f};
constexpr float kGeluZMax = 9.0f;

}  // namespace hone::fast_math
