package org.securecmd.tpm;

/**
 * A TPM command failed: the TPM answered with an error code, its answer could not be read, or the TPM
 * could not be reached. {@link #command()} names the command (e.g. {@code TPM2_Quote}); {@link
 * #responseCode()} is the TPM's response code, or 0 when the TPM gave none (transport or format failure).
 */
public final class TpmException extends Exception {
  private final String command;
  private final int responseCode;

  TpmException(String command, int responseCode) {
    super(command + " failed: TPM_RC 0x" + Integer.toHexString(responseCode) + " ("
        + ResponseCodes.describe(responseCode) + ")");
    this.command = command;
    this.responseCode = responseCode;
  }

  TpmException(String command, String message, Throwable cause) {
    super(command + " failed: " + message, cause);
    this.command = command;
    this.responseCode = 0;
  }

  /** The command that failed, e.g. {@code TPM2_ActivateCredential}. */
  public String command() {
    return command;
  }

  /** The TPM's response code, or 0 when the TPM gave none. */
  public int responseCode() {
    return responseCode;
  }

  /**
   * The response code without its handle, session or parameter number (format-one codes), so callers can
   * compare it with a constant such as {@link ResponseCodes#HANDLE}: 0x18b ("handle 1") gives 0x8b.
   */
  public int baseCode() {
    return ResponseCodes.base(responseCode);
  }
}
