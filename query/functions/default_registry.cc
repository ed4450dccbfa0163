// The registry of every implemented function, built once (kept apart from
// function_registry.cc so that code using only Call/FunctionRegistry links without the library).
#include "query/function_registry.h"

namespace meridian::query {

const FunctionRegistry& FunctionRegistry::Default() {
  static const FunctionRegistry* const registry = [] {
    auto* r = new FunctionRegistry();  // never destroyed: used until exit by HTTP threads
    RegisterCombineFunctions(*r);
    RegisterTransformFunctions(*r);
    RegisterFilterFunctions(*r);
    RegisterAliasFunctions(*r);
    RegisterSpecialFunctions(*r);
    RegisterWindowFunctions(*r);
    RegisterExtraFunctions(*r);
    RegisterHoltWintersFunctions(*r);
    return r;
  }();
  return *registry;
}

}  // namespace meridian::query
