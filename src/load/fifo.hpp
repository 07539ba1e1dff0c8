#pragma once
// A first-in first-out queue of fixed capacity on one array: the free
// handsets and the bind slots waiting for one, taken and returned on every
// flow without allocating.

#include <cstddef>
#include <vector>

namespace ussdgw::load {

/// A bounded FIFO; pushing beyond its capacity is a bug (asserted by callers'
/// design: each element is in the queue at most once).
template <class T>
class fifo {
  public:
    /// A queue that holds up to `capacity` elements.
    explicit fifo(std::size_t capacity = 0) : items_(capacity) {}

    /// True when nothing is queued.
    bool empty() const { return size_ == 0; }
    /// Elements queued.
    std::size_t size() const { return size_; }
    /// Appends `v` at the back.
    void push(T v) {
        items_[(head_ + size_) % items_.size()] = v;
        ++size_;
    }
    /// Removes and returns the front element; the queue must not be empty.
    T pop() {
        T v = items_[head_];
        head_ = (head_ + 1) % items_.size();
        --size_;
        return v;
    }

  private:
    std::vector<T> items_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

}  // namespace ussdgw::load
