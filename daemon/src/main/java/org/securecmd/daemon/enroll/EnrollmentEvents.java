package org.securecmd.daemon.enroll;

/** What enrollment tells the daemon's counters: a certificate issued, a request now pending, a refusal. */
public interface EnrollmentEvents {
  EnrollmentEvents NONE = new EnrollmentEvents() {
    @Override
    public void enrolled() {}

    @Override
    public void pending() {}

    @Override
    public void refused(String reason) {}
  };

  void enrolled();

  void pending();

  /** @param reason the label of {@link EnrollmentRefused#label} */
  void refused(String reason);
}
