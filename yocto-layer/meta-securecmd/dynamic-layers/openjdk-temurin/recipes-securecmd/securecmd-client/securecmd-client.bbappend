# meta-openjdk-temurin is in the build: its Java 17 JRE (update-alternatives
# puts java on PATH). A value set in local.conf (e.g. "openjdk-21-jre") wins.
# Not java2-runtime: that name is also provided by the Java 8 and 11 JREs.
SECURECMD_JAVA_RUNTIME ?= "openjdk-17-jre"
