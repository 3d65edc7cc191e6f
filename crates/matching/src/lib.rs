//! Identity resolution: Indonesian-aware name normalisation, a Fellegi-Sunter model,
//! blocking, the real-time match index and batch linking. Pure: no I/O, no clock.
