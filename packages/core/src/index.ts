/** @sn365/core */
export const placeholder = "core"
