#pragma once
// A small expected-like type: expected failures are values
// (docs/architecture.md, "Expected failures are values"), and
// C++20 on g++ 12 has no std::expected.

#include <cassert>
#include <utility>
#include <variant>

namespace ussdgw::util {

/// Wraps an error value so result<T, E> can be built from it unambiguously.
template <class E>
struct failure {
    E error;  ///< The wrapped error.
};

/// Makes a failure<E> for returning from functions that yield result<T, E>.
template <class E>
failure<std::decay_t<E>> fail(E&& e) {
    return {std::forward<E>(e)};
}

/// Either a value T or an error E; never both, never neither.
template <class T, class E>
class result {
  public:
    /// A successful result.
    result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    /// A failed result.
    template <class F>
    result(failure<F> f) : v_(std::in_place_index<1>, E(std::move(f.error))) {}

    /// True when a value is held.
    bool has_value() const noexcept { return v_.index() == 0; }
    /// True when a value is held.
    explicit operator bool() const noexcept { return has_value(); }
    /// The value; only valid when has_value().
    T& value() & {
        assert(has_value());
        return std::get<0>(v_);
    }
    /// The value; only valid when has_value().
    const T& value() const& {
        assert(has_value());
        return std::get<0>(v_);
    }
    /// The value moved out; only valid when has_value().
    T&& value() && {
        assert(has_value());
        return std::get<0>(std::move(v_));
    }
    /// The error; only valid when !has_value().
    const E& error() const {
        assert(!has_value());
        return std::get<1>(v_);
    }
    /// Pointer-like access to the value.
    T* operator->() { return &value(); }
    /// Pointer-like access to the value.
    const T* operator->() const { return &value(); }
    /// Dereference to the value.
    T& operator*() & { return value(); }
    /// Dereference to the value.
    const T& operator*() const& { return value(); }

  private:
    std::variant<T, E> v_;
};

}  // namespace ussdgw::util
