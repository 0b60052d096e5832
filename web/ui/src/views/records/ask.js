// A question with two answers (reload now? leave without saving?), in the style of
// utils/feedback.js's confirmDanger but without the danger colour when the answer is harmless.
import { ElMessageBox } from 'element-plus';
import 'element-plus/es/components/message-box/style/css';

/**
 * @param {{title: string, message: string, confirm: string, cancel: string, danger?: boolean}} text
 * @returns {Promise<boolean>} true when confirmed
 */
export async function ask(text) {
  try {
    await ElMessageBox.confirm(text.message, text.title, {
      type: 'warning',
      confirmButtonText: text.confirm,
      cancelButtonText: text.cancel,
      confirmButtonClass: `${text.danger ? 'el-button--danger ' : ''}confirm-ok`,
      cancelButtonClass: 'confirm-cancel',
      autofocus: false,
    });
    return true;
  } catch {
    return false; // cancelled or closed
  }
}
