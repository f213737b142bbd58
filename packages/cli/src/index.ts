/** @sn365/cli */
export const placeholder = "cli"
