// Toasts and confirmations (Element Plus services, called from scripts; their styles are imported
// here because the build only resolves components used in templates). Texts come translated.
import { ElMessage, ElMessageBox } from 'element-plus';
import 'element-plus/es/components/message/style/css';
import 'element-plus/es/components/message-box/style/css';

export const toastSuccess = (message) => ElMessage({ type: 'success', message, grouping: true });
export const toastError = (message) =>
  ElMessage({ type: 'error', message, grouping: true, duration: 6000 });

/**
 * Asks before something that cannot be undone.
 * @param {{title: string, message: string, confirm: string, cancel: string}} text
 * @returns {Promise<boolean>} true when confirmed
 */
export async function confirmDanger(text) {
  try {
    await ElMessageBox.confirm(text.message, text.title, {
      type: 'warning',
      confirmButtonText: text.confirm,
      cancelButtonText: text.cancel,
      confirmButtonClass: 'el-button--danger confirm-ok',
      cancelButtonClass: 'confirm-cancel',
      autofocus: false,
    });
    return true;
  } catch {
    return false; // cancelled or closed
  }
}
