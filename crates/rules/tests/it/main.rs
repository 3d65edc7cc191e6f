//! Integration tests of the rules crate: the default catalogue, malformed files, properties.

mod smoke;
