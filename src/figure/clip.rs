//! Clipping polylines and polygons to the plotting area.
//!
//! plotters draws whatever coordinates it is given, so data outside a
//! user-given axis range would spill over the axes and neighbouring panels.
//! Clipping happens in scale space, where the plotting area is a box.

/// A point in scale space (or pixels; clipping works in either).
pub(super) type Pt = (f64, f64);

/// An axis-aligned box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Bounds {
    /// Left.
    pub x0: f64,
    /// Right.
    pub x1: f64,
    /// Bottom.
    pub y0: f64,
    /// Top.
    pub y1: f64,
}

impl Bounds {
    fn contains(&self, (x, y): Pt) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }
}

/// Clips the polyline through `points` to `b`, returning the visible
/// pieces. Each piece has at least two points.
pub(super) fn clip_polyline(points: &[Pt], b: &Bounds) -> Vec<Vec<Pt>> {
    let mut pieces: Vec<Vec<Pt>> = Vec::new();
    let mut current: Vec<Pt> = Vec::new();
    for pair in points.windows(2) {
        match clip_segment(pair[0], pair[1], b) {
            Some((p, q)) => {
                if current.last() != Some(&p) {
                    flush(&mut pieces, &mut current);
                    current.push(p);
                }
                current.push(q);
            }
            None => flush(&mut pieces, &mut current),
        }
    }
    flush(&mut pieces, &mut current);
    pieces
}

fn flush(pieces: &mut Vec<Vec<Pt>>, current: &mut Vec<Pt>) {
    if current.len() >= 2 {
        pieces.push(std::mem::take(current));
    } else {
        current.clear();
    }
}

/// Liang–Barsky: the part of segment `p`–`q` inside `b`, if any.
fn clip_segment(p: Pt, q: Pt, b: &Bounds) -> Option<(Pt, Pt)> {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let mut t0 = 0.0f64;
    let mut t1 = 1.0f64;
    let edges = [
        (-dx, p.0 - b.x0),
        (dx, b.x1 - p.0),
        (-dy, p.1 - b.y0),
        (dy, b.y1 - p.1),
    ];
    for (den, num) in edges {
        if den == 0.0 {
            if num < 0.0 {
                return None;
            }
        } else {
            let t = num / den;
            if den < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| (p.0 + t * dx, p.1 + t * dy);
    Some((at(t0), at(t1)))
}

/// Sutherland–Hodgman: the part of polygon `points` inside `b` (empty when
/// nothing is inside).
pub(super) fn clip_polygon(points: &[Pt], b: &Bounds) -> Vec<Pt> {
    if points.iter().all(|&p| b.contains(p)) {
        return points.to_vec();
    }
    let planes: [(usize, f64, bool); 4] = [
        (0, b.x0, true),
        (0, b.x1, false),
        (1, b.y0, true),
        (1, b.y1, false),
    ];
    planes
        .into_iter()
        .fold(points.to_vec(), |poly, (axis, edge, keep_above)| {
            clip_against(&poly, axis, edge, keep_above)
        })
}

fn clip_against(poly: &[Pt], axis: usize, edge: f64, keep_above: bool) -> Vec<Pt> {
    let coord = |p: Pt| if axis == 0 { p.0 } else { p.1 };
    let inside = |p: Pt| (coord(p) >= edge) == keep_above || coord(p) == edge;
    let cross = |p: Pt, q: Pt| {
        let t = (edge - coord(p)) / (coord(q) - coord(p));
        (p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1))
    };
    let mut out = Vec::with_capacity(poly.len() + 4);
    for (i, &q) in poly.iter().enumerate() {
        let p = poly[(i + poly.len() - 1) % poly.len()];
        match (inside(p), inside(q)) {
            (true, true) => out.push(q),
            (true, false) => out.push(cross(p, q)),
            (false, true) => {
                out.push(cross(p, q));
                out.push(q);
            }
            (false, false) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIT: Bounds = Bounds {
        x0: 0.0,
        x1: 1.0,
        y0: 0.0,
        y1: 1.0,
    };

    #[test]
    fn polylines_inside_are_kept_whole() {
        let line = vec![(0.125, 0.125), (0.5, 0.875), (0.875, 0.25)];
        assert_eq!(clip_polyline(&line, &UNIT), vec![line]);
    }

    #[test]
    fn polylines_leaving_and_returning_split_in_two() {
        let line = vec![(0.0, 0.5), (0.5, 2.0), (1.0, 0.5)];
        let pieces = clip_polyline(&line, &UNIT);
        assert_eq!(pieces.len(), 2);
        assert!(pieces.iter().flatten().all(|p| UNIT.contains(*p)));
    }

    #[test]
    fn polylines_outside_vanish() {
        assert!(clip_polyline(&[(2.0, 2.0), (3.0, 3.0)], &UNIT).is_empty());
        assert!(clip_polyline(&[(0.5, 0.5)], &UNIT).is_empty());
    }

    #[test]
    fn polygons_are_cut_at_the_edges() {
        let square = [(-1.0, -1.0), (0.5, -1.0), (0.5, 0.5), (-1.0, 0.5)];
        let clipped = clip_polygon(&square, &UNIT);
        assert!(clipped.iter().all(|p| UNIT.contains(*p)));
        assert!(clipped.contains(&(0.5, 0.5)));
        assert!(clipped.contains(&(0.0, 0.0)));
    }

    #[test]
    fn polygons_outside_vanish() {
        let square = [(2.0, 2.0), (3.0, 2.0), (3.0, 3.0)];
        assert!(clip_polygon(&square, &UNIT).is_empty());
    }
}
