// The field types' icons as Element Plus icon components (registry entries name them: `icon`).
// Kept apart from registry.js so the registry stays free of Vue.
import { markRaw } from 'vue';
import {
  AlarmClock,
  Calendar,
  CircleCheck,
  Clock,
  Collection,
  Discount,
  Document,
  Edit,
  EditPen,
  Finished,
  FullScreen,
  Grid,
  InfoFilled,
  Link,
  List,
  Location,
  MapLocation,
  Memo,
  Message,
  Minus,
  Money,
  Odometer,
  OfficeBuilding,
  Paperclip,
  Phone,
  Picture,
  PriceTag,
  Star,
  Timer,
  User,
} from '@element-plus/icons-vue';
import { typeOf } from './types.js';

const ICONS = {
  AlarmClock,
  Calendar,
  CircleCheck,
  Clock,
  Collection,
  Discount,
  Document,
  Edit,
  EditPen,
  Finished,
  FullScreen,
  Grid,
  InfoFilled,
  Link,
  List,
  Location,
  MapLocation,
  Memo,
  Message,
  Minus,
  Money,
  Odometer,
  OfficeBuilding,
  Paperclip,
  Phone,
  Picture,
  PriceTag,
  Star,
  Timer,
  User,
};

/** An icon component by its Element Plus name (Document when unknown). */
export const iconComponent = (name) => markRaw(ICONS[name] ?? Document);

/** The icon component of a field type. */
export const fieldIcon = (type) => iconComponent(typeOf(type)?.icon);
