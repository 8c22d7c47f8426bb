package org.securecmd.daemon.enroll;

import org.securecmd.daemon.state.Issuance;

/** Where renewals are counted (metrics); implemented by the composition root. */
public interface RenewalEvents {
  RenewalEvents NONE = new RenewalEvents() {
    @Override
    public void issued(Issuance issuance) {}

    @Override
    public void refused(RenewalRefusal reason) {}
  };

  void issued(Issuance issuance);

  void refused(RenewalRefusal reason);
}
