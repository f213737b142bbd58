/** @sn365/servicenow */
export const placeholder = "servicenow"
