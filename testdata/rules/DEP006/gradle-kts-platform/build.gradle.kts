plugins {
    java
}

dependencies {
    // Spring Boot's BOM without its plugin: versions come from the platform.
    implementation(platform("org.springframework.boot:spring-boot-dependencies:4.1.2"))
    implementation("org.springframework.data:spring-data-redis")
    implementation("com.fasterxml.jackson.core:jackson-databind")
}
