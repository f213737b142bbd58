/** @sn365/setup */
export const placeholder = "setup"
