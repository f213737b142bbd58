/** @sn365/emulator */
export const placeholder = "emulator"
