package org.securecmd.daemon.enroll;

import org.securecmd.daemon.state.IssuanceLog;

/** What every generation's {@link Renewals} shares for the life of the daemon. */
public record RenewalState(IssuanceLog issued, Rollover rollover, RenewalEvents events) {}
