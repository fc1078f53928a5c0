/// Orthogonal routes for the layered layout: each flow is a chain of horizontal and vertical
/// segments that leaves its source and enters its target at a side (the middle of one of the
/// bounding box's sides: on a circle and a diamond too) and keeps a margin around every element and
/// every label in between. The routes run on a grid of lines along the obstacles' edges (grown by the
/// margin), their centres and the channels midway between them; a search (A*) takes the cheapest
/// path, counting its length, its bends, a side other than right-out and left-in, and the stretches
/// it shares with flows routed before it. A loop back thus goes round below or above what it passes.
/// Pure and deterministic: the same input gives the same waypoints.
struct DiagramRouter {
    enum Side: Int, CaseIterable { case right, bottom, left, top }

    /// A node that flows attach to: its bounds and the sides they may use.
    struct Node {
        var bounds: Diagram.Bounds
        var sides: [Side]
    }

    static let margin = 10.0
    static let bend = 30.0
    static let shared = 0.6
    /// The same for a stretch that another flow runs the other way (two arrowheads on one line).
    static let opposed = 3.0
    /// What running along an obstacle's margin costs beyond its length: long runs take the channels.
    static let tight = 0.3

    let xs: [Double], ys: [Double]
    /// Lines at an obstacle's margin (rather than a centre or a channel's middle).
    private let tightX: [Bool], tightY: [Bool]
    private var blockedNode: [Bool], blockedRight: [Bool], blockedDown: [Bool]
    /// Grid moves already taken: `moveKey` times two, plus one when taken from the higher index.
    private var used: [Int: Int] = [:]

    /// `obstacles`: every element's bounds and label bounds, as drawn (the margin is added here).
    init(obstacles: [Diagram.Bounds]) {
        let m = Self.margin
        let grown = obstacles.map { Diagram.Bounds(x: $0.x - m, y: $0.y - m, width: $0.width + 2 * m,
                                                   height: $0.height + 2 * m) }
        func lines(_ edges: [Double], _ centres: [Double]) -> [Double] {
            let sorted = Array(Set((edges + centres).map { ($0 * 2).rounded() / 2 })).sorted()
            guard let first = sorted.first, let last = sorted.last else { return [] }
            var mids: [Double] = []
            for (a, b) in zip(sorted, sorted.dropFirst()) where b - a >= 2 * m { mids.append((a + b) / 2) }
            // an outer frame, so that a path can always go round everything
            return Array(Set(sorted + mids + [first - 2 * m, last + 2 * m])).sorted()
        }
        let edgeX = grown.flatMap { [$0.x, $0.x + $0.width] }, edgeY = grown.flatMap { [$0.y, $0.y + $0.height] }
        xs = lines(edgeX, obstacles.map { $0.x + $0.width / 2 })
        ys = lines(edgeY, obstacles.map { $0.y + $0.height / 2 })
        let centreX = Set(obstacles.map { $0.x + $0.width / 2 }), centreY = Set(obstacles.map { $0.y + $0.height / 2 })
        let tightXs = Set(edgeX).subtracting(centreX), tightYs = Set(edgeY).subtracting(centreY)
        tightX = xs.map { tightXs.contains($0) }
        tightY = ys.map { tightYs.contains($0) }
        let (nx, ny) = (xs.count, ys.count)
        func inside(_ x: Double, _ y: Double) -> Bool {
            grown.contains { x > $0.x && x < $0.x + $0.width && y > $0.y && y < $0.y + $0.height }
        }
        var node = [Bool](repeating: false, count: nx * ny)
        var right = node, down = node
        for j in 0..<ny {
            for i in 0..<nx {
                node[j * nx + i] = inside(xs[i], ys[j])
                if i + 1 < nx { right[j * nx + i] = inside((xs[i] + xs[i + 1]) / 2, ys[j]) }
                if j + 1 < ny { down[j * nx + i] = inside(xs[i], (ys[j] + ys[j + 1]) / 2) }
            }
        }
        blockedNode = node
        blockedRight = right
        blockedDown = down
    }

    /// The point on a side of the bounds, and the grid point the margin away from it.
    static func port(_ b: Diagram.Bounds, _ s: Side) -> (on: Diagram.Point, off: Diagram.Point) {
        let (cx, cy, m) = (b.x + b.width / 2, b.y + b.height / 2, margin)
        switch s {
        case .right: return (Diagram.Point(x: b.x + b.width, y: cy), Diagram.Point(x: b.x + b.width + m, y: cy))
        case .left: return (Diagram.Point(x: b.x, y: cy), Diagram.Point(x: b.x - m, y: cy))
        case .top: return (Diagram.Point(x: cx, y: b.y), Diagram.Point(x: cx, y: b.y - m))
        case .bottom: return (Diagram.Point(x: cx, y: b.y + b.height), Diagram.Point(x: cx, y: b.y + b.height + m))
        }
    }

    /// What a side costs beyond the path's length: flows run left to right by preference.
    static func penalty(_ s: Side, leaving: Bool) -> Double {
        switch s {
        case .right: leaving ? 0 : 80
        case .left: leaving ? 80 : 0
        case .top, .bottom: 20
        }
    }

    /// The route from one node to another, its stretches then counted as used; nil when the grid
    /// has no path (a node shut in by others).
    mutating func route(from a: Node, to b: Node) -> [Diagram.Point]? {
        guard let (path, first, last) = search(from: a, to: b) else { return nil }
        for (p, q) in zip(path, path.dropFirst()) { used[moveKey(p, q) * 2 + (q > p ? 0 : 1), default: 0] += 1 }
        let points = [Self.port(a.bounds, first).on] + path.map { Diagram.Point(x: xs[$0 % xs.count],
                                                                               y: ys[$0 / xs.count]) }
            + [Self.port(b.bounds, last).on]
        return Self.simplified(points)
    }

    /// Drops repeated points and the middle one of three in a line.
    static func simplified(_ points: [Diagram.Point]) -> [Diagram.Point] {
        var out: [Diagram.Point] = []
        for p in points where out.last != p {
            if out.count >= 2 {
                let (a, b) = (out[out.count - 2], out[out.count - 1])
                if (a.x == b.x && b.x == p.x) || (a.y == b.y && b.y == p.y) { out.removeLast() }
            }
            out.append(p)
        }
        return out
    }

    func index(of p: Diagram.Point) -> Int? {
        guard let i = xs.firstIndex(of: (p.x * 2).rounded() / 2), let j = ys.firstIndex(of: (p.y * 2).rounded() / 2)
        else { return nil }
        return j * xs.count + i
    }

    func moveKey(_ p: Int, _ q: Int) -> Int {
        let (lo, hi) = (min(p, q), max(p, q))
        return lo * 2 + (hi - lo == 1 ? 0 : 1)
    }

    /// The neighbour of a grid node in a direction (0 right, 1 down, 2 left, 3 up), nil past the
    /// grid's edge or through an obstacle.
    func step(_ n: Int, _ dir: Int) -> Int? {
        let (nx, i, j) = (xs.count, n % xs.count, n / xs.count)
        switch dir {
        case 0: return i + 1 < nx && !blockedRight[n] && !blockedNode[n + 1] ? n + 1 : nil
        case 1: return j + 1 < ys.count && !blockedDown[n] && !blockedNode[n + nx] ? n + nx : nil
        case 2: return i > 0 && !blockedRight[n - 1] && !blockedNode[n - 1] ? n - 1 : nil
        default: return j > 0 && !blockedDown[n - nx] && !blockedNode[n - nx] ? n - nx : nil
        }
    }

    func distance(_ p: Int, _ q: Int) -> Double {
        let (nx, a, b) = (xs.count, p, q)
        return abs(xs[a % nx] - xs[b % nx]) + abs(ys[a / nx] - ys[b / nx])
    }
}

extension DiagramRouter {
    /// A* over (grid node, direction) from the source's usable sides to the target's: the grid
    /// nodes of the cheapest path, with the sides it leaves and enters by.
    func search(from a: Node, to b: Node) -> (path: [Int], first: Side, last: Side)? {
        var goals: [Int: [Side]] = [:]
        for s in b.sides { if let n = index(of: Self.port(b.bounds, s).off) { goals[n, default: []].append(s) } }
        let goalNodes = goals.keys.sorted()
        func estimate(_ n: Int) -> Double { goalNodes.map { distance(n, $0) }.min() ?? 0 }
        var cost = [Double](repeating: .infinity, count: xs.count * ys.count * 4)
        var previous = [Int](repeating: -1, count: cost.count)
        var start = [Int: Side]()
        var heap = Heap()
        for s in a.sides {
            guard let n = index(of: Self.port(a.bounds, s).off), !isBlocked(n) else { continue }
            let state = n * 4 + s.rawValue
            let c = Self.penalty(s, leaving: true)
            if c < cost[state] {
                cost[state] = c
                start[state] = s
                heap.push(c + estimate(n), state)
            }
        }
        var best: (cost: Double, state: Int, side: Side)?
        while let (f, state) = heap.pop() {
            if let done = best, f >= done.cost { break }
            let (n, dir) = (state / 4, state % 4)
            let g = cost[state]
            if f > g + estimate(n) + 1e-9 { continue }  // an outdated entry
            for s in goals[n] ?? [] {
                let total = g + (dir == (s.rawValue + 2) % 4 ? 0 : Self.bend) + Self.penalty(s, leaving: false)
                if total < (best?.cost ?? .infinity) { best = (total, state, s) }
            }
            for d in 0..<4 where d != (dir + 2) % 4 {
                guard let m = step(n, d) else { continue }
                let length = distance(n, m)
                let along = d % 2 == 0 ? tightY[n / xs.count] : tightX[n % xs.count]
                let key = moveKey(n, m) * 2 + (m > n ? 0 : 1), other = key ^ 1
                let reuse = Self.shared * Double(used[key] ?? 0) + Self.opposed * Double(used[other] ?? 0)
                let c = g + length * (1 + (along ? Self.tight : 0) + reuse) + (d == dir ? 0 : Self.bend)
                let next = m * 4 + d
                if c < cost[next] - 1e-9 {
                    cost[next] = c
                    previous[next] = state
                    heap.push(c + estimate(m), next)
                }
            }
        }
        guard let done = best else { return nil }
        var path: [Int] = []
        var state = done.state
        for _ in 0..<cost.count where state >= 0 {  // each step back is to a cheaper state: no cycle
            path.append(state / 4)
            if let s = start[state], previous[state] < 0 { return (path.reversed(), s, done.side) }
            state = previous[state]
        }
        return nil
    }

    func isBlocked(_ n: Int) -> Bool { blockedNode[n] }
}

/// A binary min-heap of (priority, state), ties broken by the order of pushing (deterministic).
struct Heap {
    private var items: [(key: Double, order: Int, value: Int)] = []
    private var pushed = 0

    mutating func push(_ key: Double, _ value: Int) {
        items.append((key, pushed, value))
        pushed += 1
        var i = items.count - 1
        while i > 0, less(i, (i - 1) / 2) {
            items.swapAt(i, (i - 1) / 2)
            i = (i - 1) / 2
        }
    }

    mutating func pop() -> (Double, Int)? {
        guard let top = items.first else { return nil }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var i = 0
        while 2 * i + 1 < items.count {
            let (l, r) = (2 * i + 1, 2 * i + 2)
            var m = i
            if less(l, m) { m = l }
            if r < items.count, less(r, m) { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return (top.key, top.value)
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        (items[a].key, items[a].order) < (items[b].key, items[b].order)
    }
}
