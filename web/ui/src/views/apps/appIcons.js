// The app icons (api/apps.js APP_ICONS) as Element Plus icon components, and the preset colours
// offered next to the colour picker.
import { markRaw } from 'vue';
import {
  Box,
  Briefcase,
  Calendar,
  Coin,
  Document,
  Flag,
  Goods,
  Histogram,
  House,
  Money,
  Notebook,
  Reading,
  Shop,
  Stamp,
  Suitcase,
  Tickets,
  Tools,
  Trophy,
  User,
  Van,
} from '@element-plus/icons-vue';
import { APP_ICONS } from '../../api/apps.js';

const COMPONENTS = {
  Box,
  Briefcase,
  Calendar,
  Coin,
  Document,
  Flag,
  Goods,
  Histogram,
  House,
  Money,
  Notebook,
  Reading,
  Shop,
  Stamp,
  Suitcase,
  Tickets,
  Tools,
  Trophy,
  User,
  Van,
};

/** [{name, component}] in the server's order. */
export const ICON_CHOICES = APP_ICONS.map((name) => ({
  name,
  component: markRaw(COMPONENTS[name]),
}));

/** The component of an icon name; Document for unknown names. */
export const iconComponent = (name) => markRaw(COMPONENTS[name] ?? Document);

export const PRESET_COLORS = [
  '#2f6fed',
  '#1f9d8b',
  '#3aa757',
  '#e6a23c',
  '#f56c6c',
  '#9b59b6',
  '#e84393',
  '#00a0e9',
  '#606266',
  '#8d6e63',
];

/** A colour the API takes (#rrggbb), else the default. */
export const safeColor = (color) =>
  typeof color === 'string' && /^#[0-9a-f]{6}$/i.test(color) ? color : PRESET_COLORS[0];
