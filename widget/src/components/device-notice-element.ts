/**
 * `ParleyDeviceNotice`, the `<parley-device-notice>` element class made once
 * from the chat's kit, for npm users (`@parley/widget/components`). The chat
 * itself loads the element on demand (device-notice-loader.ts).
 */
import { kit } from "./panel-kit.js";
import { deviceNoticeClass, type ParleyDeviceNoticeClass } from "./parley-device-notice.js";

/**
 * `<parley-device-notice>`: notices from end-to-end encryption when a member's devices change
 * ("Ada's security code changed"), each with the new security code to compare out of band.
 */
export const ParleyDeviceNotice: ParleyDeviceNoticeClass = deviceNoticeClass(kit);
