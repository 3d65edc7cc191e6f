//! Risk indicators: a versioned, data-driven rule catalogue, its validation and its
//! evaluation against an application and derived facts. Pure: no I/O, no clock.
