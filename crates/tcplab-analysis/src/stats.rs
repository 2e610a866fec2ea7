//! Running statistics (Welford's method): count, min, max, mean and
//! standard deviation without keeping the samples.

use serde::Serialize;

#[derive(Clone, Copy, Debug, Default)]
pub struct Running {
    n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Running {
    /// Adds the sample `x`, which is never NaN (an RTT in seconds): so
    /// plain comparisons give what `f64::min`/`max` would, in fewer
    /// instructions, and the results are those of the textbook method bit
    /// for bit.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        if self.n == 1 {
            self.min = x;
            self.max = x;
        } else {
            if x < self.min {
                self.min = x;
            }
            if x > self.max {
                self.max = x;
            }
        }
        let delta = x - self.mean;
        // A count below 2^63 converts exactly either way; from `i64` it
        // is one instruction.
        self.mean += delta / (self.n as i64) as f64;
        self.m2 += delta * (x - self.mean);
    }

    pub fn summary(&self) -> Option<SampleStats> {
        (self.n > 0).then(|| SampleStats {
            samples: self.n,
            min: self.min,
            avg: self.mean,
            max: self.max,
            stdev: if self.n > 1 {
                (self.m2 / (self.n - 1) as f64).sqrt()
            } else {
                0.0
            },
        })
    }
}

/// Most directions have no samples of one kind or the other: then only `n`.
/// The five fields go in one piece (built on the stack: one capacity check).
impl crate::disk::Code for Running {
    fn put(&self, out: &mut Vec<u8>) {
        use crate::disk::{Fixed, Sink, Stack};
        if self.n == 0 {
            return self.n.put(out);
        }
        let mut b = Stack::<{ 5 * u64::SIZE }>::new();
        self.n.put_fixed(&mut b);
        for x in [self.mean, self.m2, self.min, self.max] {
            x.to_bits().put_fixed(&mut b);
        }
        out.put_bytes(b.full());
    }
    fn get(r: &mut crate::disk::Reader) -> Self {
        let n = u64::get(r);
        if n == 0 {
            return Running::default();
        }
        Running {
            n,
            mean: f64::get(r),
            m2: f64::get(r),
            min: f64::get(r),
            max: f64::get(r),
        }
    }
}

/// Sample statistics (seconds for RTTs); `stdev` is the sample standard deviation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SampleStats {
    pub samples: u64,
    pub min: f64,
    pub avg: f64,
    pub max: f64,
    pub stdev: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_textbook_values() {
        let mut r = Running::default();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            r.push(x);
        }
        let s = r.summary().expect("samples were pushed");
        assert_eq!(s.samples, 8);
        assert_eq!((s.min, s.max, s.avg), (2.0, 9.0, 5.0));
        assert!((s.stdev - 2.138_089_935).abs() < 1e-6);
        assert!(Running::default().summary().is_none());
    }

    /// The same bits as `f64::min`/`max` and a division by `n as f64`,
    /// on samples that include zero, negatives and repeats.
    #[test]
    fn same_bits_as_the_textbook_method() {
        let samples = [0.0, -3e-6, 1.5e-4, 1.5e-4, 2e-9, 7.25, -0.5, 0.0, 1e-3];
        let mut r = Running::default();
        let (mut n, mut mean, mut m2, mut min, mut max) = (0u64, 0f64, 0f64, 0f64, 0f64);
        for x in samples {
            r.push(x);
            n += 1;
            if n == 1 {
                (min, max) = (x, x);
            } else {
                (min, max) = (min.min(x), max.max(x));
            }
            let delta = x - mean;
            mean += delta / n as f64;
            m2 += delta * (x - mean);
            assert_eq!(r.n, n);
            for (a, b) in [(r.mean, mean), (r.m2, m2), (r.min, min), (r.max, max)] {
                assert_eq!(a.to_bits(), b.to_bits());
            }
        }
    }
}
