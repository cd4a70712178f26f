// activate<Ops>: apply_epilogue's activations on a vector, over any vector-ops struct
// (vector_ops_avx512.inl / vector_ops_avx2.inl). Not a normal header: include it inside the
// ISA file's anonymous namespace, after its Ops structs and with Epilogue and Activation
// (ops/common/epilogue.h) in scope.

// apply_epilogue's formulas on a vector (padding lanes may see any finite value).
template <class Ops>
typename Ops::V activate(typename Ops::V x, const Epilogue& e) {
  using V = typename Ops::V;
  const V zero = Ops::zero(), one = Ops::set1(1.0f);
  switch (e.kind) {
    case Activation::kNone:
      return x;
    case Activation::kRelu:
      return Ops::max(x, zero);
    case Activation::kClip:
      return Ops::min(Ops::max(x, Ops::set1(e.alpha)), Ops::set1(e.beta));
    case Activation::kLeakyRelu:
      return Ops::select_ge0(x, x, Ops::mul(x, Ops::set1(e.alpha)));
    case Activation::kSigmoid:
      return Ops::div(one, Ops::add(one, Ops::exp(Ops::sub(zero, x))));
    case Activation::kHardSigmoid: {
      const V y = Ops::fma(x, Ops::set1(e.alpha), Ops::set1(e.beta));
      return Ops::min(Ops::max(y, zero), one);
    }
    case Activation::kHardSwish: {
      const V y = Ops::add(Ops::div(x, Ops::set1(6.0f)), Ops::set1(0.5f));
      return Ops::mul(x, Ops::min(Ops::max(y, zero), one));
    }
    case Activation::kTanh:
      return Ops::tanh(x);
    case Activation::kSilu:
      return Ops::div(x, Ops::add(one, Ops::exp(Ops::sub(zero, x))));
    case Activation::kGelu:
      return Ops::gelu(x);
  }
  return x;
}
