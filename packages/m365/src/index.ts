/** @sn365/m365 */
export const placeholder = "m365"
