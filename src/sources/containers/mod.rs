//! Container definitions: compose files, Kubernetes manifests, Helm values, Dockerfiles and
//! CI service containers — the images they run, the CPU limits they set, and the module
//! files they load.

pub mod reference;
