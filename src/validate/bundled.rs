//! The bundled server as a validation target: started in-process on 127.0.0.1 with a free
//! port, answering as the target profile.

pub struct Handle {
    url: String,
}

impl Handle {
    pub fn url(&self) -> &str {
        &self.url
    }
}

pub async fn start(profile: &str, _config: Option<(&str, &str)>) -> Result<Handle, String> {
    Err(format!(
        "the bundled server for {profile} is not available in this build yet; use --server-bin PATH or --server URL"
    ))
}
