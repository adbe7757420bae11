import Foundation

/// A first-in first-out queue of at most `capacity` elements between two threads: `push` waits while it is
/// full, `pop` waits while it is empty, and returns nil once it is closed and drained.
final class BoundedQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element?] = []  // popped slots are nil, so nothing is kept alive
    private var head = 0
    private var closed = false
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    func push(_ element: Element) {
        condition.lock()
        while items.count - head >= capacity && !closed { condition.wait() }
        items.append(element)
        condition.broadcast()
        condition.unlock()
    }

    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.count == head && !closed { condition.wait() }
        if items.count == head { return nil }
        let element = items[head]
        items[head] = nil
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return element
    }

    /// No more pushes; `pop` drains what is left, then returns nil.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
